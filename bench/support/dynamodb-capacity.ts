/**
 * Counts the DynamoDB capacity a process consumes: every command the shared client sends asks for
 * `ReturnConsumedCapacity: TOTAL` (DynamoDB Local answers it as DynamoDB does), and the units each
 * answer reports are added up, writes and reads apart. Installed by bench/export.ts in its own
 * process (the export's creation) and by the worker children (everything else).
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
}

export function countCapacity(client: DynamoDBDocumentClient): Capacity {
  const consumed: Capacity = { writeUnits: 0, readUnits: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const reported = (
        result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }
      ).ConsumedCapacity;
      const units = [reported ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
      if (WRITES.has(context.commandName ?? '')) consumed.writeUnits += units;
      else consumed.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return consumed;
}
