/**
 * Reads and writes of the daily re-validation. ACTIVE integrations are found through the sparse
 * RecheckIndex (shared/table/keys.ts) rather than a table scan: the table also holds every export
 * job's per-file checkpoints and the platform's backups, which a daily scan would read in full,
 * while the index holds one small entry per integration that ever became ACTIVE, sorted by when it
 * was last checked, so a run that cannot finish leaves the longest-unchecked ones for the next day
 * to take first. Only validation runs write the index keys, so no other writer can forget them;
 * an entry whose status changed since (FAILED by an export, VALIDATING by the customer) is skipped
 * by its projected status.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { ValidationReport } from '#shared/integrations/schemas';
import { keys, RECHECK_SHARDS, recheckShardKey } from '#shared/table/keys';

export const RECHECK_INDEX = 'RecheckIndex';
const PAGE_SIZE = 100;

export interface DueIntegration {
  projectId: string;
  integrationId: string;
}

/** Every ACTIVE integration last checked before `dueBefore`, each shard oldest first, shards interleaved. */
export async function* loadDueIntegrations(dueBefore: string): AsyncGenerator<DueIntegration> {
  const shards = Array.from({ length: RECHECK_SHARDS }, (_, shard) => ({
    shard: recheckShardKey(shard),
    items: [] as DueIntegration[],
    next: undefined as Record<string, unknown> | undefined,
    done: false,
  }));
  while (shards.some((shard) => !shard.done || shard.items.length > 0)) {
    for (const shard of shards) {
      if (shard.items.length === 0 && !shard.done) {
        const page = await dynamodb.send(
          new QueryCommand({
            TableName: config().TABLE_NAME,
            IndexName: RECHECK_INDEX,
            KeyConditionExpression: 'recheckShard = :shard AND lastCheckedAt < :dueBefore',
            FilterExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':shard': shard.shard, ':dueBefore': dueBefore, ':active': 'ACTIVE' },
            ProjectionExpression: 'projectId, integrationId',
            Limit: PAGE_SIZE,
            ExclusiveStartKey: shard.next,
          }),
        );
        shard.items = (page.Items ?? []) as DueIntegration[];
        shard.next = page.LastEvaluatedKey;
        shard.done = page.LastEvaluatedKey === undefined;
      }
      const item = shard.items.shift();
      if (item) yield item;
    }
  }
}

/**
 * Claims a due integration for a recheck run: a new RUNNING report, status left ACTIVE. Refused
 * (undefined) when the integration is no longer ACTIVE, was checked meanwhile, or a run is under
 * way (one started within `staleBefore` counts as under way), and with `unprovedOnly` when a run
 * of the current probe proved its settings (the index does not project `validated`, the item
 * does). Returns the report it replaced, so
 * a failed start can put it back.
 */
export async function beginRecheck(
  due: DueIntegration,
  run: { runId: string; startedAt: string; dueBefore: string; staleBefore: string; unprovedOnly?: boolean },
): Promise<{ previous?: ValidationReport } | undefined> {
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(due.projectId, due.integrationId),
        UpdateExpression: 'SET #validation = :report',
        ConditionExpression:
          'attribute_exists(pk) AND #status = :active AND lastCheckedAt < :dueBefore AND ' +
          '(attribute_not_exists(#validation) OR #validation.#result <> :running ' +
          'OR #validation.startedAt < :staleBefore)' +
          (run.unprovedOnly ? ' AND attribute_not_exists(validated)' : ''),
        ExpressionAttributeNames: { '#validation': 'validation', '#status': 'status', '#result': 'result' },
        ExpressionAttributeValues: {
          ':report': { runId: run.runId, result: 'RUNNING', stages: [], startedAt: run.startedAt },
          ':active': 'ACTIVE',
          ':running': 'RUNNING',
          ':dueBefore': run.dueBefore,
          ':staleBefore': run.staleBefore,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const previous = (Attributes as { validation?: ValidationReport } | undefined)?.validation;
    return previous ? { previous } : {};
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Puts back the report a recheck replaced when its execution could not start. */
export async function restoreAfterFailedRecheckStart(
  due: DueIntegration,
  runId: string,
  previous: ValidationReport | undefined,
): Promise<void> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(due.projectId, due.integrationId),
        UpdateExpression: previous ? 'SET #validation = :previous' : 'REMOVE #validation',
        ConditionExpression: '#validation.runId = :runId',
        ExpressionAttributeNames: { '#validation': 'validation' },
        ExpressionAttributeValues: { ':runId': runId, ...(previous ? { ':previous': previous } : {}) },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
