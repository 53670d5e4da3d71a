/**
 * Counts the DynamoDB capacity a process consumes: every command the shared client sends asks for
 * `ReturnConsumedCapacity: TOTAL` (DynamoDB Local answers it as DynamoDB does), and the units each
 * answer reports are added up, writes and reads apart. Installed by bench/export.ts in its own
 * process (the export's creation) and by the worker children (everything else).
 *
 * A write refused by its condition answers an error with no capacity in it, from DynamoDB Local as
 * from DynamoDB, but AWS bills it like a write of the item: such writes are counted apart, as the
 * local stack's meter counts them for the forwarding bench (local/runtime/src/dynamodb-meter.ts),
 * and so are transactions cancelled by a condition (each is billed for its items' writes).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// The document client's commands reach the middleware under the low-level client's names.
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export interface Capacity {
  writeUnits: number;
  readUnits: number;
  /** Single-item writes refused by their condition (ConditionalCheckFailedException). */
  failedConditionalWrites: number;
  /** Write transactions cancelled because one of their conditions failed. */
  cancelledTransactions: number;
}

const refusedByCondition = (error: unknown) =>
  (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons?.some(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  ) ?? false;

export function countCapacity(client: DynamoDBDocumentClient): Capacity {
  const consumed: Capacity = { writeUnits: 0, readUnits: 0, failedConditionalWrites: 0, cancelledTransactions: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const isWrite = WRITES.has(context.commandName ?? '');
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const name = (error as Error).name;
        if (isWrite && name === 'ConditionalCheckFailedException') consumed.failedConditionalWrites += 1;
        if (isWrite && name === 'TransactionCanceledException' && refusedByCondition(error))
          consumed.cancelledTransactions += 1;
        throw error;
      }
      const reported = (
        result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }
      ).ConsumedCapacity;
      const units = [reported ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
      if (isWrite) consumed.writeUnits += units;
      else consumed.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return consumed;
}
