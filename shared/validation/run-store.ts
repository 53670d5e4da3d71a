/**
 * The validation run's writes to its integration. Every write is conditional on the run still
 * owning the integration: same `validation.runId`, report still RUNNING, status still the one the
 * run's mode holds. A write that fails the condition means the integration was deleted, a newer
 * run replaced this one, or an export marked it FAILED: the run then stops quietly and can never
 * overwrite a newer result.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { Integration, ValidatedSettings } from '#shared/integrations/integration';
import type { ValidationStage } from '#shared/integrations/schemas';
import { keys, RECHECK_SHARDS, recheckShardKey } from '#shared/table/keys';
import { statusDuring, type RunRef } from '#shared/validation/run-input';

export type Owned = Integration & { validation: NonNullable<Integration['validation']> };

/** The integration, if this run still owns it. */
export async function loadOwnedIntegration(ref: RunRef): Promise<Owned | undefined> {
  const integration = await loadIntegration(ref.projectId, ref.integrationId);
  const owned =
    integration?.validation?.runId === ref.runId &&
    integration.validation.result === 'RUNNING' &&
    integration.status === statusDuring(ref.mode);
  return owned ? (integration as Owned) : undefined;
}

const OWNED_BY_RUN =
  'attribute_exists(pk) AND #validation.#runId = :runId AND #validation.#result = :running AND #status = :during';

async function updateIfOwned(
  ref: RunRef,
  set: string[],
  values: Record<string, unknown>,
  remove: string[] = [],
  condition = '',
): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(ref.projectId, ref.integrationId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: `${OWNED_BY_RUN}${condition}`,
        ExpressionAttributeNames: {
          '#validation': 'validation',
          '#runId': 'runId',
          '#result': 'result',
          '#stages': 'stages',
          '#status': 'status',
        },
        ExpressionAttributeValues: {
          ':runId': ref.runId,
          ':running': 'RUNNING',
          ':during': statusDuring(ref.mode),
          ...values,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Records one stage entry at its position in the report (RUNNING, or SUCCEEDED for a stage that
 * is not the last). Stages run strictly in order, so the position is the list's length on first
 * write and the same slot on a retry.
 */
export function recordStage(ref: RunRef, index: number, entry: ValidationStage): Promise<boolean> {
  return updateIfOwned(ref, [`#validation.#stages[${index}] = :entry`], { ':entry': entry });
}

/** The RecheckIndex shard of an integration (shared/table/keys.ts): a stable hash of its id. */
export const recheckShardOf = (integrationId: string) =>
  recheckShardKey(createHash('sha256').update(integrationId).digest().readUInt32BE(0) % RECHECK_SHARDS);

/**
 * The last stage passed: the integration is ACTIVE, the settings the run tested become the ones
 * workers use (`validated`, whose bucket owner every later S3 call expects), and the RecheckIndex
 * lists it for the daily re-validation from now on. Conditional on the stored settings still being
 * the ones tested, so a snapshot never records settings no run proved.
 */
export function recordRunSucceeded(
  ref: RunRef,
  index: number,
  entry: ValidationStage,
  validated: ValidatedSettings,
): Promise<boolean> {
  const endedAt = entry.endedAt ?? new Date().toISOString();
  const kmsKeyMatches = validated.kmsKeyArn ? ' AND kmsKeyArn = :kmsKeyArn' : ' AND attribute_not_exists(kmsKeyArn)';
  return updateIfOwned(
    ref,
    [
      `#validation.#stages[${index}] = :entry`,
      '#validation.#result = :successful',
      '#validation.endedAt = :endedAt',
      '#status = :active',
      'bucketOwnerAccountId = :owner',
      'validated = :validated',
      'updatedAt = :endedAt',
      'recheckShard = :shard',
      'lastCheckedAt = :endedAt',
    ],
    {
      ':entry': entry,
      ':successful': 'SUCCESSFUL',
      ':endedAt': endedAt,
      ':active': 'ACTIVE',
      ':owner': validated.bucketOwnerAccountId,
      ':validated': validated,
      ':shard': recheckShardOf(ref.integrationId),
      ':roleArn': validated.roleArn,
      ':externalId': validated.externalId,
      ...(validated.kmsKeyArn ? { ':kmsKeyArn': validated.kmsKeyArn } : {}),
    },
    [],
    ` AND roleArn = :roleArn AND externalId = :externalId${kmsKeyMatches}`,
  );
}

/**
 * A stage failed: the report ends FAILED with the stage's code and message. `newStatus` is FAILED
 * for a customer's mistake (the integration leaves the RecheckIndex: a FAILED one waits for the
 * customer to validate again, and loses its proved settings: nothing may use it until then). An
 * interrupted recheck keeps the integration ACTIVE (nothing showed that access is broken), only
 * reports that the check could not finish, and leaves lastCheckedAt alone so the next daily run
 * checks it again.
 */
export function recordRunFailed(
  ref: RunRef,
  index: number,
  entry: ValidationStage,
  newStatus: 'FAILED' | 'ACTIVE',
): Promise<boolean> {
  const endedAt = entry.endedAt ?? new Date().toISOString();
  const set = [
    `#validation.#stages[${index}] = :entry`,
    '#validation.#result = :failed',
    '#validation.endedAt = :endedAt',
    '#status = :newStatus',
    'updatedAt = :endedAt',
  ];
  const values = { ':entry': entry, ':failed': 'FAILED', ':endedAt': endedAt, ':newStatus': newStatus };
  return newStatus === 'FAILED'
    ? updateIfOwned(ref, [...set, 'lastCheckedAt = :endedAt'], values, ['recheckShard', 'validated'])
    : updateIfOwned(ref, set, values);
}
