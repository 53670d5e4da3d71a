/**
 * Forwarding configurations in the single table. Turning forwarding on, moving it to another
 * integration and turning it off each change the forwarding item and the integrations' `usedBy`
 * sets in one transaction, so an integration can never be deleted while forwarding uses it and
 * forwarding can never point at an integration that is not ACTIVE at the moment it is enabled.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { ConflictError } from '#shared/errors';
import { loadRecord } from '#shared/table/items';
import { FORWARDING_SHARDS, forwardingShardKey, keys, projectPk, sortKeyPrefix } from '#shared/table/keys';
import { clusterOfSourceKey, parseSourceKey } from '#shared/forwarding/audit-log-keys';
import { newDigestChain, shardOf, usedByMember, type Forwarding } from '#shared/forwarding/forwarding';

const table = () => config().TABLE_NAME;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const FORWARDING_INDEX = 'ForwardingIndex';

/**
 * A stored forwarding as the code expects it. Items written by the polling design that came
 * before carry a cursor (the platform key of the newest delivered file) and no digest chain:
 * files after the cursor count as pending, so the first catch-up run delivers them, and the chain
 * starts with the hour forwarding was turned on.
 */
export function normalizeForwarding(item: Record<string, unknown>): Forwarding {
  const { pk: _pk, sk: _sk, cursor, ...stored } = item;
  const forwarding = stored as unknown as Forwarding;
  forwarding.digests ??= newDigestChain(forwarding.enabledAt);
  const cursorFile = typeof cursor === 'string' ? parseSourceKey(cursor, clusterOfSourceKey(cursor)) : undefined;
  if (cursorFile && !forwarding.pendingSince) forwarding.pendingSince = cursorFile.writtenAt.toISOString();
  return forwarding;
}

export async function loadForwarding(projectId: string, clusterId: string): Promise<Forwarding | undefined> {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table(), Key: keys.forwarding(projectId, clusterId), ConsistentRead: true }),
  );
  return Item ? normalizeForwarding(Item) : undefined;
}

/**
 * The forwarding of a cluster, found from the cluster alone (what an S3 event names): its owner
 * record says which project it belongs to. A cluster recorded before owner records existed has
 * none; its forwarding is then looked up in its ForwardingIndex shard.
 */
export async function findClusterForwarding(clusterId: string): Promise<Forwarding | undefined> {
  const owner = await loadRecord<{ projectId: string }>(keys.clusterOwner(clusterId));
  if (owner) return loadForwarding(owner.projectId, clusterId);
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: FORWARDING_INDEX,
      KeyConditionExpression: 'forwardingShard = :shard',
      FilterExpression: 'clusterId = :cluster',
      ExpressionAttributeValues: { ':shard': shardOf(clusterId), ':cluster': clusterId },
      ProjectionExpression: 'projectId',
    }),
  );
  const projectId = Items[0]?.projectId;
  return typeof projectId === 'string' ? loadForwarding(projectId, clusterId) : undefined;
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
    for (const item of page.Items ?? []) items.push(normalizeForwarding(item));
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
    'The integration is not ACTIVE: finish its setup or validate it again (POST .../validate), ' +
      'then turn forwarding on.',
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
 * Points an existing forwarding at another directory and/or integration, or changes its
 * compression. Pending files stay pending and go to the new place. A new bucket or directory
 * starts a new digest chain there (the old chain ends with its last digest).
 */
export async function changeForwarding(
  existing: Forwarding,
  change: Pick<Forwarding, 'integrationId' | 'directory' | 'updatedAt' | 'updatedBy'> & {
    compression?: Forwarding['compression'];
  },
): Promise<void> {
  const { projectId, clusterId } = existing;
  const moved = change.integrationId !== existing.integrationId || change.directory !== existing.directory;
  const set = ['integrationId = :integration', 'directory = :directory', 'updatedAt = :now', 'updatedBy = :by'];
  const values: Record<string, unknown> = {
    ':integration': change.integrationId,
    ':directory': change.directory,
    ':now': change.updatedAt,
    ':by': change.updatedBy,
    ':generation': existing.generation,
    ':previous': existing.integrationId,
  };
  if (change.compression) {
    set.push('compression = :compression');
    values[':compression'] = change.compression;
  }
  if (moved) {
    set.push('digests = :digests');
    values[':digests'] = newDigestChain(change.updatedAt);
  }
  const items: TransactItem[] = [
    {
      Update: {
        TableName: table(),
        Key: keys.forwarding(projectId, clusterId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: 'generation = :generation AND integrationId = :previous',
        ExpressionAttributeValues: values,
      },
    },
    addUse(projectId, change.integrationId, clusterId),
  ];
  if (change.integrationId !== existing.integrationId)
    items.push(removeUse(projectId, existing.integrationId, clusterId));
  await transact(items, true);
}

/** PATCH: pauses or resumes, or changes the compression, of the forwarding as it was read. */
export async function updateForwardingOptions(
  existing: Forwarding,
  change: {
    paused?: Forwarding['paused'] | null;
    compression?: Forwarding['compression'];
    updatedAt: string;
    updatedBy: string;
  },
): Promise<void> {
  const set = ['updatedAt = :now', 'updatedBy = :by'];
  const remove: string[] = [];
  const values: Record<string, unknown> = {
    ':now': change.updatedAt,
    ':by': change.updatedBy,
    ':generation': existing.generation,
  };
  if (change.paused === null) remove.push('paused');
  else if (change.paused) {
    set.push('paused = :paused');
    values[':paused'] = change.paused;
  }
  if (change.compression) {
    set.push('compression = :compression');
    values[':compression'] = change.compression;
  }
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.forwarding(existing.projectId, existing.clusterId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'generation = :generation',
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw changedMeanwhile();
    throw error;
  }
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
