/**
 * One attempt of an export job owns a DynamoDB partition (`PROJECT#<p>#JOB#<j>#<attempt>`) that
 * holds its plan and checkpoints (shared/table/keys.ts). What every store of that partition shares:
 * the reference, the expiry of its items, page-wise queries of a key range, and batched puts.
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { exportFilesPk } from '#shared/table/keys';

export interface AttemptRef {
  projectId: string;
  jobId: string;
  attempt: number;
}

export const attemptPk = (ref: AttemptRef) => exportFilesPk(ref.projectId, ref.jobId, ref.attempt);
export const attemptKey = (ref: AttemptRef, sk: string) => ({ pk: attemptPk(ref), sk });

/** Checkpoints outlive their job by this long, then DynamoDB's TTL removes them. */
const CHECKPOINT_TTL_SECONDS = 90 * 24 * 3600;
export const checkpointExpiry = () => Math.floor(Date.now() / 1000) + CHECKPOINT_TTL_SECONDS;

/** Every item of the attempt whose sort key lies between `from` and `to` (inclusive), in key order. */
export async function queryRange<T>(ref: AttemptRef, from: string, to: string): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': attemptPk(ref), ':from': from, ':to': to },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const BATCH = 25;

/** Puts every item (25 a request), retrying what DynamoDB left unprocessed. Safe to repeat. */
export async function putAll(items: Array<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH) {
    let requests = items.slice(start, start + BATCH).map((item) => ({ PutRequest: { Item: item } }));
    for (let round = 0; requests.length > 0; round += 1) {
      if (round > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** round) * Math.random()));
      const { UnprocessedItems } = await dynamodb.send(
        new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
}
