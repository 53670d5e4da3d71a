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
import { keepsProvedSettingsOnFailure } from '#shared/integrations/customer-target';
import type { Integration, ValidatedSettings } from '#shared/integrations/integration';
import type { ValidationStage } from '#shared/integrations/schemas';
import { keys, RECHECK_SHARDS, recheckShardKey } from '#shared/table/keys';
import { statusDuring, type RunRef } from '#shared/validation/run-input';
import { rotationAfterSuccess } from '#shared/validation/rotation-outcome';
import { markRetired } from '#shared/integrations/rotation-store';
import { publishIntegrationStatus } from '#shared/notifications/publish';

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
  names: Record<string, string> = {},
): Promise<boolean> {
  const update = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
  // DynamoDB refuses names an expression does not use.
  const used = Object.entries({
    '#validation': 'validation',
    '#runId': 'runId',
    '#result': 'result',
    '#stages': 'stages',
    '#status': 'status',
    ...names,
  }).filter(([name]) => `${update} ${OWNED_BY_RUN}${condition}`.includes(name));
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(ref.projectId, ref.integrationId),
        UpdateExpression: update,
        ConditionExpression: `${OWNED_BY_RUN}${condition}`,
        ExpressionAttributeNames: Object.fromEntries(used),
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
 * The condition that the settings a run tested are still the ones its mode tests, so a snapshot
 * never records settings no run proved: for a validation, the candidate on the record (role,
 * external ID, key); for the re-check, the proved snapshot it read (or, for an integration stored
 * before snapshots, its unchanged settings).
 */
function stillTested(
  ref: RunRef,
  integration: Integration,
  tested: ValidatedSettings,
): { condition: string; names: Record<string, string>; values: Record<string, unknown> } {
  if (ref.mode === 'recheck' && integration.validated) {
    return {
      condition: ' AND validated.#at = :provedAt',
      names: { '#at': 'at' },
      values: { ':provedAt': integration.validated.at },
    };
  }
  const kmsKeyMatches = tested.kmsKeyArn ? ' AND kmsKeyArn = :kmsKeyArn' : ' AND attribute_not_exists(kmsKeyArn)';
  // A rotation's new ID is tested while the integration still names the current one (rotation-outcome.ts checks the
  // rotation).
  const externalIdMatches =
    tested.externalId === integration.externalId
      ? ' AND externalId = :externalId'
      : ' AND externalId = :currentExternalId';
  return {
    condition: ` AND roleArn = :roleArn${externalIdMatches}${kmsKeyMatches}`,
    names: {},
    values: {
      ':roleArn': tested.roleArn,
      ...(tested.externalId === integration.externalId
        ? { ':externalId': tested.externalId }
        : { ':currentExternalId': integration.externalId }),
      ...(tested.kmsKeyArn ? { ':kmsKeyArn': tested.kmsKeyArn } : {}),
    },
  };
}

/**
 * The last stage passed: the integration is ACTIVE, the settings the run tested become the ones
 * workers use (`validated`, whose bucket owner every later S3 call expects), and the RecheckIndex
 * lists it for the daily re-validation from now on. Conditional on the tested settings still
 * being the ones its mode tests (stillTested).
 */
export async function recordRunSucceeded(
  ref: RunRef,
  index: number,
  entry: ValidationStage,
  validated: ValidatedSettings,
  integration: Integration,
): Promise<boolean> {
  const endedAt = entry.endedAt ?? new Date().toISOString();
  const tested = stillTested(ref, integration, validated);
  const rotation = rotationAfterSuccess(ref, integration, validated.externalId);
  const recorded = await updateIfOwned(
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
      ...rotation.set,
    ],
    {
      ':entry': entry,
      ':successful': 'SUCCESSFUL',
      ':endedAt': endedAt,
      ':active': 'ACTIVE',
      ':owner': validated.bucketOwnerAccountId,
      ':validated': validated,
      ':shard': recheckShardOf(ref.integrationId),
      ...tested.values,
      ...rotation.values,
    },
    rotation.remove,
    `${tested.condition}${rotation.condition}`,
    { ...tested.names, ...rotation.names },
  );
  if (recorded && rotation.retires) await markRetired(rotation.retires, endedAt);
  // A re-check that passes changes nothing (ACTIVE stays ACTIVE): only a validation ends in a change.
  if (recorded && ref.mode === 'validate')
    await publishIntegrationStatus(ref, { status: 'ACTIVE', previousStatus: 'VALIDATING', detectedBy: 'validation' });
  return recorded;
}

/** EXTERNAL_ID_ENFORCED saw the role refuse a rotation's old ID: the run's success may retire it. */
export function recordOldIdRefused(ref: RunRef, oldExternalId: string): Promise<boolean> {
  return updateIfOwned(
    ref,
    ['#rotation.oldIdRefusedBy = :runId'],
    { ':old': oldExternalId },
    [],
    ' AND #rotation.oldExternalId = :old',
    { '#rotation': 'externalIdRotation' },
  );
}

/** What a failed stage leaves: FAILED, or ACTIVE when proved settings keep serving (customer-target.ts). */
export function statusAfterFailure(ref: RunRef, integration: Integration): 'FAILED' | 'ACTIVE' {
  if (ref.mode === 'recheck') return 'FAILED';
  return keepsProvedSettingsOnFailure(integration) ? 'ACTIVE' : 'FAILED';
}

/** What an interrupted run leaves: a re-check and a run beside proved settings leave them serving. */
export function statusAfterInterruption(ref: RunRef, integration: Integration): 'FAILED' | 'ACTIVE' {
  if (ref.mode === 'recheck') return 'ACTIVE';
  return keepsProvedSettingsOnFailure(integration) ? 'ACTIVE' : 'FAILED';
}

/**
 * A stage failed: the report ends FAILED with the stage's code and message. `newStatus` is FAILED
 * for a customer's mistake (the integration leaves the RecheckIndex: a FAILED one waits for the
 * customer to validate again, and loses its proved settings: nothing may use it until then).
 * ACTIVE keeps the proved settings serving: an interrupted recheck (nothing showed that access is
 * broken; lastCheckedAt stays, so the next daily run checks it again) or a failed validation of a
 * new key or external ID beside proved settings (statusAfterFailure).
 */
export async function recordRunFailed(
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
  const recorded =
    newStatus === 'FAILED'
      ? await updateIfOwned(ref, [...set, 'lastCheckedAt = :endedAt'], values, ['recheckShard', 'validated'])
      : await updateIfOwned(ref, set, values);
  const previousStatus = statusDuring(ref.mode);
  if (recorded && newStatus !== previousStatus) {
    await publishIntegrationStatus(ref, {
      status: newStatus,
      previousStatus,
      detectedBy: ref.mode === 'validate' ? 'validation' : 'recheck',
      failed: entry,
    });
  }
  return recorded;
}
