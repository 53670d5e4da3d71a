/**
 * What a project uses, counted on one item (PROJECT#<p> / USAGE) that the transactions creating and
 * deleting integrations update, on condition that the limit holds: two concurrent creates can
 * never both take the last place. Projects that had integrations before the counter existed get
 * it counted once, by the first create or delete that finds it missing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { loadRecord, tableName } from '#shared/table/items';
import { keys, projectPk, sortKeyPrefix } from '#shared/table/keys';

export interface ProjectUsage {
  integrations: number;
}

/** Makes sure the usage item exists, counting the project's integrations if it has to create it. */
export async function ensureUsageCounted(projectId: string): Promise<void> {
  if (await loadRecord<ProjectUsage>(keys.projectUsage(projectId))) return;
  let integrations = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': sortKeyPrefix.integration },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    integrations += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  try {
    await dynamodb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.projectUsage(projectId), integrations },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // Another request counted first: its count stands, and every change since went through the item.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** The transaction item that takes one integration place, if the project has one left. */
export const takeIntegrationPlace = (projectId: string) => ({
  Update: {
    TableName: tableName(),
    Key: keys.projectUsage(projectId),
    UpdateExpression: 'ADD integrations :one',
    ConditionExpression: 'attribute_exists(pk) AND integrations < :max',
    ExpressionAttributeValues: { ':one': 1, ':max': config().MAX_INTEGRATIONS_PER_PROJECT },
  },
});

/** The transaction item that gives one integration place back. */
export const releaseIntegrationPlace = (projectId: string) => ({
  Update: {
    TableName: tableName(),
    Key: keys.projectUsage(projectId),
    UpdateExpression: 'ADD integrations :minusOne',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':minusOne': -1 },
  },
});
