/**
 * TransactWriteItems with retries of transaction conflicts. The K workers of one export each count
 * their progress into the job item in a transaction (work-unit.ts), and DynamoDB cancels a
 * transaction that meets another one on the same item (`TransactionConflict`); the SDK does not
 * retry a cancelled transaction, so this does, with full-jitter backoff.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { cancellationReasons } from '#shared/table/items';

const ATTEMPTS = 8;

export async function transactWithRetries(
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const conflicted = cancellationReasons(error).some((reason) => reason.Code === 'TransactionConflict');
      if (!conflicted || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
    }
  }
}
