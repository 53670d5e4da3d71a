/**
 * The DynamoDB capacity meter a bench puts in front of DynamoDB Local: callers get the answers they
 * would get from DynamoDB Local (no ConsumedCapacity they did not ask for), and the tally holds the
 * units each operation consumed, index writes included.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTables, startDynamoDbLocal } from '#runtime/dynamodb';
import { startDynamoDbMeter, type DynamoDbUsage } from '#runtime/dynamodb-meter';
import { loadFixtureRuntime } from './support/fixture-runtime';

const TABLE = 'runtime-fixture-test-table';

describe('DynamoDB capacity meter', () => {
  it('passes calls through and counts their read and write units, and refused conditional writes apart', async () => {
    const { cloudFormation } = await loadFixtureRuntime();
    const dynamodb = await startDynamoDbLocal({ port: 0, accountId: '111111111111', region: 'us-east-1' });
    const meter = await startDynamoDbMeter(dynamodb.url);
    const client = new DynamoDBClient({
      endpoint: meter.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'LOCAL111111111111', secretAccessKey: 'local' },
    });
    const usage = async (method = 'GET') =>
      (await (await fetch(`${meter.url}/_local/usage`, { method })).json()) as DynamoDbUsage;
    try {
      await createTables(dynamodb.client, cloudFormation);
      await usage('DELETE');
      // 3 KB: three write units; with the StatusIndex key, one more for the index.
      const put = await client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'a' }, byStatus: { S: 'x' }, blob: { S: 'x'.repeat(2900) } },
        }),
      );
      expect(put.ConsumedCapacity).toBeUndefined();
      const update = await client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: { S: 'b' } },
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { N: '1' } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      expect(update.ConsumedCapacity).toEqual({ TableName: TABLE, CapacityUnits: 1 });
      const read = await client.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' } }, ConsistentRead: true }),
      );
      expect(read.Item?.blob?.S).toHaveLength(2900);
      await expect(
        client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: { pk: { S: 'a' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toThrow(/conditional/i);

      const tally = await usage();
      expect(tally.operations).toEqual({
        PutItem: { requests: 2, readUnits: 0, writeUnits: 4 },
        UpdateItem: { requests: 1, readUnits: 0, writeUnits: 1 },
        GetItem: { requests: 1, readUnits: 1, writeUnits: 0 },
      });
      expect(tally.failedConditionalWrites).toBe(1);
      await usage('DELETE');
      expect((await usage()).operations).toEqual({});
    } finally {
      client.destroy();
      await meter.close();
      await dynamodb.close();
    }
  });
});
