/**
 * DynamoDB Local started by the runtime: the tables of serverless.yml created from their Properties, and a
 * clear message when Java is missing.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTables, startDynamoDbLocal } from '#runtime/dynamodb';
import { loadFixtureRuntime } from './support/fixture-runtime';

describe('DynamoDB Local', () => {
  it('creates the tables of serverless.yml from their Properties, indexes and TTL included', async () => {
    const { cloudFormation } = await loadFixtureRuntime();
    const dynamodb = await startDynamoDbLocal({ port: 0, accountId: '111111111111', region: 'us-east-1' });
    try {
      expect(await createTables(dynamodb.client, cloudFormation)).toEqual(['runtime-fixture-test-table']);
      const { Table } = await dynamodb.client.send(
        new DescribeTableCommand({ TableName: 'runtime-fixture-test-table' }),
      );
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['StatusIndex']);
      const ttl = await dynamodb.client.send(
        new DescribeTimeToLiveCommand({ TableName: 'runtime-fixture-test-table' }),
      );
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    } finally {
      await dynamodb.close();
    }
  });

  it('tells the user to install Java 17 when there is no Java', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal({ port: 0, accountId: '111111111111', region: 'us-east-1' })).rejects.toThrow(
        /install Java 17/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
