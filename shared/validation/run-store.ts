import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { config } from '#shared/config';
import { getIntegration } from '#shared/integrations/integration-store';
import type { Integration } from '#shared/integrations/integration';
import type { ValidationStage } from '#shared/integrations/schemas';
import { keys } from '#shared/table/keys';
import { statusDuring, type RunRef } from '#shared/validation/run-input';

/**
 * The validation run's writes to its integration. Every write is conditional on the run still
 * owning the integration: same `validation.runId`, report still RUNNING, status still the one the
 * run's mode holds. A write that fails the condition means the integration was deleted, a newer
 * run replaced this one, or an export marked it FAILED: the run then stops quietly and can never
 * overwrite a newer result.
 */
export type Owned = Integration & { validation: NonNullable<Integration['validation']> };

/** The integration, if this run still owns it. */
export async function loadOwnedIntegration(ref: RunRef): Promise<Owned | undefined> {
  const integration = await getIntegration(ref.projectId, ref.integrationId);
  const owned =
    integration?.validation?.runId === ref.runId &&
    integration.validation.result === 'RUNNING' &&
    integration.status === statusDuring(ref.mode);
  return owned ? (integration as Owned) : undefined;
}

const OWNED_BY_RUN = 'attribute_exists(pk) AND #validation.#runId = :runId AND #validation.#result = :running AND #status = :during';

async function updateIfOwned(ref: RunRef, set: string[], values: Record<string, unknown>): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(ref.projectId, ref.integrationId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: OWNED_BY_RUN,
        ExpressionAttributeNames: { '#validation': 'validation', '#runId': 'runId', '#result': 'result', '#stages': 'stages', '#status': 'status' },
        ExpressionAttributeValues: { ':runId': ref.runId, ':running': 'RUNNING', ':during': statusDuring(ref.mode), ...values },
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

/** The last stage passed: the integration is ACTIVE and every later S3 call expects this owner. */
export function recordRunSucceeded(ref: RunRef, index: number, entry: ValidationStage, bucketOwnerAccountId: string): Promise<boolean> {
  const endedAt = entry.endedAt ?? new Date().toISOString();
  return updateIfOwned(
    ref,
    [
      `#validation.#stages[${index}] = :entry`,
      '#validation.#result = :successful',
      '#validation.endedAt = :endedAt',
      '#status = :active',
      'bucketOwnerAccountId = :owner',
      'updatedAt = :endedAt',
    ],
    { ':entry': entry, ':successful': 'SUCCESSFUL', ':endedAt': endedAt, ':active': 'ACTIVE', ':owner': bucketOwnerAccountId },
  );
}

/**
 * A stage failed: the report ends FAILED with the stage's code and message. `newStatus` is FAILED
 * for a customer's mistake; an interrupted recheck keeps the integration ACTIVE (nothing showed
 * that access is broken) and only reports that the check could not finish.
 */
export function recordRunFailed(ref: RunRef, index: number, entry: ValidationStage, newStatus: 'FAILED' | 'ACTIVE'): Promise<boolean> {
  const endedAt = entry.endedAt ?? new Date().toISOString();
  return updateIfOwned(
    ref,
    [`#validation.#stages[${index}] = :entry`, '#validation.#result = :failed', '#validation.endedAt = :endedAt', '#status = :newStatus', 'updatedAt = :endedAt'],
    { ':entry': entry, ':failed': 'FAILED', ':endedAt': endedAt, ':newStatus': newStatus },
  );
}
