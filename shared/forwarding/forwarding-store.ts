import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { ConflictError } from '#shared/errors';
import { FORWARDING_SHARDS, forwardingShardKey, keys, projectPk, sortKeyPrefix } from '#shared/table/keys';
import { usedByMember, type Forwarding } from '#shared/forwarding/forwarding';

/**
 * Forwarding configurations in the single table. Turning forwarding on, moving it to another
 * integration and turning it off each change the forwarding item and the integrations' `usedBy`
 * sets in one transaction, so an integration can never be deleted while forwarding uses it and
 * forwarding can never point at an integration that is not ACTIVE at the moment it is enabled.
 */
const table = () => config().TABLE_NAME;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const FORWARDING_INDEX = 'ForwardingIndex';

export async function loadForwarding(projectId: string, clusterId: string): Promise<Forwarding | undefined> {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table(), Key: keys.forwarding(projectId, clusterId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...forwarding } = Item;
  return forwarding as Forwarding;
}

/** The forwardings of one project (at most one per cluster), for the health roll-up. */
export async function loadProjectForwardings(projectId: string): Promise<Forwarding[]> {
  const items: Forwarding[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': sortKeyPrefix.forwarding },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const { pk: _pk, sk: _sk, ...item } of page.Items ?? []) items.push(item as Forwarding);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** What the sparse ForwardingIndex holds of each enabled forwarding. */
export type IndexedForwarding = Pick<Forwarding, 'projectId' | 'clusterId' | 'integrationId' | 'health'>;

/**
 * Every enabled forwarding, read from the sparse index, its shards in parallel. Index reads are
 * eventually consistent: a forwarding enabled a moment ago may join on the next tick.
 */
export async function loadEnabledForwardings(): Promise<IndexedForwarding[]> {
  const shards = Array.from({ length: FORWARDING_SHARDS }, (_, shard) => forwardingShardKey(shard));
  const perShard = await Promise.all(
    shards.map(async (shard) => {
      const refs: IndexedForwarding[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamodb.send(
          new QueryCommand({
            TableName: table(),
            IndexName: FORWARDING_INDEX,
            KeyConditionExpression: 'forwardingShard = :shard',
            ExpressionAttributeValues: { ':shard': shard },
            ProjectionExpression: 'projectId, clusterId, integrationId, health',
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) refs.push(item as IndexedForwarding);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return refs;
    }),
  );
  return perShard.flat();
}

const addUse = (projectId: string, integrationId: string, clusterId: string): TransactItem => ({
  Update: {
    TableName: table(),
    Key: keys.integration(projectId, integrationId),
    UpdateExpression: 'ADD usedBy :use',
    ConditionExpression: 'attribute_exists(pk) AND #status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':use': new Set([usedByMember(clusterId)]), ':active': 'ACTIVE' },
  },
});

/** DynamoDB removes the attribute when the set becomes empty, which is what lets delete proceed. */
const removeUse = (projectId: string, integrationId: string, clusterId: string): TransactItem => ({
  Update: {
    TableName: table(),
    Key: keys.integration(projectId, integrationId),
    UpdateExpression: 'DELETE usedBy :use',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':use': new Set([usedByMember(clusterId)]) },
  },
});

const notActive = () =>
  new ConflictError(
    'INTEGRATION_NOT_ACTIVE',
    'The integration is not ACTIVE: finish its setup or validate it again (POST .../validate), then turn forwarding on.',
  );

const changedMeanwhile = () =>
  new ConflictError(
    'CONCURRENT_UPDATE',
    'Forwarding of this cluster was changed at the same time: read it again and retry.',
  );

/** Runs a forwarding transaction whose item 0 is the forwarding item and item 1 the integration it starts to use. */
async function transact(items: TransactItem[], usesIntegration: boolean): Promise<void> {
  try {
    await dynamodb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (usesIntegration && reasons[1]?.Code === 'ConditionalCheckFailed') throw notActive();
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw changedMeanwhile();
    throw error;
  }
}

export async function insertForwarding(forwarding: Forwarding): Promise<void> {
  const { projectId, clusterId, integrationId } = forwarding;
  await transact(
    [
      {
        Put: {
          TableName: table(),
          Item: { ...keys.forwarding(projectId, clusterId), ...forwarding },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      addUse(projectId, integrationId, clusterId),
    ],
    true,
  );
}

/**
 * Points an existing forwarding at another directory and/or integration. The cursor stays, so
 * delivery continues where it stands: nothing is delivered twice and nothing is skipped.
 */
export async function changeForwarding(
  existing: Forwarding,
  change: { integrationId: string; directory: string; updatedAt: string; updatedBy: string },
): Promise<void> {
  const { projectId, clusterId } = existing;
  const items: TransactItem[] = [
    {
      Update: {
        TableName: table(),
        Key: keys.forwarding(projectId, clusterId),
        UpdateExpression: 'SET integrationId = :integration, directory = :directory, updatedAt = :now, updatedBy = :by',
        ConditionExpression: 'generation = :generation AND integrationId = :previous',
        ExpressionAttributeValues: {
          ':integration': change.integrationId,
          ':directory': change.directory,
          ':now': change.updatedAt,
          ':by': change.updatedBy,
          ':generation': existing.generation,
          ':previous': existing.integrationId,
        },
      },
    },
    addUse(projectId, change.integrationId, clusterId),
  ];
  if (change.integrationId !== existing.integrationId)
    items.push(removeUse(projectId, existing.integrationId, clusterId));
  await transact(items, true);
}

export async function deleteForwarding(existing: Forwarding): Promise<void> {
  const { projectId, clusterId } = existing;
  await transact(
    [
      {
        Delete: {
          TableName: table(),
          Key: keys.forwarding(projectId, clusterId),
          ConditionExpression: 'generation = :generation AND integrationId = :integration',
          ExpressionAttributeValues: { ':generation': existing.generation, ':integration': existing.integrationId },
        },
      },
      removeUse(projectId, existing.integrationId, clusterId),
    ],
    false,
  );
}
