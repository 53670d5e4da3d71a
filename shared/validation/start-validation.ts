/**
 * Marks the integration VALIDATING and starts one state machine execution for it. A second start
 * while a run is under way answers 409 instead of starting two: the conditional write is the lock,
 * and the execution name (the run id) makes the start itself idempotent. Past the integration's
 * validations per minute it answers 429 with Retry-After.
 */
import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { stepFunctions } from '#shared/aws/clients';
import { config } from '#shared/config';
import { AppError, ConflictError, TooManyRequestsError } from '#shared/errors';
import { logger } from '#shared/logger';
import { keys } from '#shared/table/keys';
import { beginValidation } from '#shared/integrations/integration-store';
import type { Integration } from '#shared/integrations/integration';
import { VALIDATION_STALE_AFTER_MS, type RunRef } from '#shared/validation/run-input';

export { VALIDATION_STALE_AFTER_MS } from '#shared/validation/run-input';

/** What the state machine receives: ids only, never credentials or documents (see run-input.ts). */
export type ValidationInput = RunRef;

const newRunId = (integrationId: string) =>
  `${integrationId}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

export async function startValidation(integration: Integration, roleArn?: string): Promise<ValidationInput> {
  const now = new Date();
  const input: ValidationInput = {
    projectId: integration.projectId,
    integrationId: integration.integrationId,
    runId: newRunId(integration.integrationId),
    mode: 'validate',
  };
  const began = await beginValidation(integration, {
    runId: input.runId,
    startedAt: now.toISOString(),
    roleArn,
    staleBefore: new Date(now.getTime() - VALIDATION_STALE_AFTER_MS).toISOString(),
  });
  if (!began.began && began.reason === 'rate-limited') {
    throw new TooManyRequestsError(
      'TOO_MANY_VALIDATIONS',
      `This integration has started ${config().VALIDATIONS_PER_INTEGRATION_PER_MINUTE} validations this minute, ` +
        `the most it may: wait ${began.retryAfterSeconds} seconds (Retry-After) and validate again.`,
      began.retryAfterSeconds,
    );
  }
  if (!began.began) {
    throw new ConflictError(
      'VALIDATION_IN_PROGRESS',
      'A validation of this integration is already running: wait for its result.',
    );
  }
  try {
    await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: config().VALIDATION_STATE_MACHINE_ARN,
        name: input.runId,
        input: JSON.stringify(input),
      }),
    );
  } catch (error) {
    logger.error('could not start validation', { integrationId: integration.integrationId, error: error as Error });
    await restoreAfterFailedStart(integration, input.runId);
    throw new AppError(503, 'VALIDATION_NOT_STARTED', 'Validation could not start right now: try again in a minute.');
  }
  return input;
}

/** Puts back the status, role and report the integration had, so a failed start changes nothing. */
async function restoreAfterFailedStart(integration: Integration, runId: string): Promise<void> {
  const set = ['#status = :status'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':status': integration.status, ':runId': runId };
  if (integration.roleArn) {
    set.push('roleArn = :roleArn');
    values[':roleArn'] = integration.roleArn;
  } else remove.push('roleArn');
  if (integration.validation) {
    set.push('validation = :validation');
    values[':validation'] = integration.validation;
  } else remove.push('validation');
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.integration(integration.projectId, integration.integrationId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'validation.runId = :runId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
