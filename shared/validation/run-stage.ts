/**
 * One stage of a validation run, as the state machine's task calls it: the stage's check, with its
 * progress and outcome recorded on the integration.
 */
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { testedTargetOf, validatedSettingsFor } from '#shared/integrations/customer-target';
import type { ValidationStage } from '#shared/integrations/schemas';
import { logger } from '#shared/logger';
import {
  checkBucketLocation,
  checkBucketRegion,
  checkReadAccess,
  checkWriteAccess,
} from '#shared/validation/bucket-checks';
import { STAGE_ORDER, type StageName } from '#shared/validation/failures';
import { checkAssumeRole, checkExternalIdEnforced } from '#shared/validation/role-checks';
import { checkOldExternalId } from '#shared/validation/rotation-checks';
import type { RunRef } from '#shared/validation/run-input';
import {
  loadOwnedIntegration,
  recordRunFailed,
  recordRunSucceeded,
  recordStage,
  statusAfterFailure,
} from '#shared/validation/run-store';
import type { CheckOutcome } from '#shared/validation/stage-outcome';
import { asTransientStageError } from '#shared/validation/transient-stage-error';

export interface StageRequest extends RunRef {
  stage: StageName;
  /** Found by BUCKET_LOCATION, checked by BUCKET_REGION: a region name, nothing secret. */
  bucketRegion?: string;
}

/**
 * What the state machine needs to choose the next state. PASSED goes on; FAILED and STOPPED (the
 * run no longer owns the integration) end the run. No credentials, no messages.
 */
export interface StageResult {
  outcome: 'PASSED' | 'FAILED' | 'STOPPED';
  bucketRegion?: string;
}

function runCheck(
  request: StageRequest,
  target: CustomerTarget & { runId: string },
): Promise<CheckOutcome> | CheckOutcome {
  switch (request.stage) {
    case 'ASSUME_ROLE':
      return checkAssumeRole(target);
    case 'EXTERNAL_ID_ENFORCED':
      return checkExternalIdEnforced(target);
    case 'BUCKET_LOCATION':
      return checkBucketLocation(target);
    case 'BUCKET_REGION':
      if (!request.bucketRegion) throw new Error('BUCKET_REGION needs the bucketRegion found by BUCKET_LOCATION');
      return checkBucketRegion(target, request.bucketRegion);
    case 'WRITE_ACCESS':
      return checkWriteAccess(target);
    case 'READ_ACCESS':
      return checkReadAccess(target);
  }
}

/**
 * Runs one validation stage: records it RUNNING (so GET shows progress), runs its check, and
 * records the outcome as it finishes. The last stage's success makes the integration ACTIVE; any
 * failure ends the run FAILED with the stage's code and message. A transient AWS error escapes as
 * TransientStageError for the state machine to retry; the entry stays RUNNING meanwhile and keeps
 * its first start time.
 */
export async function runValidationStage(request: StageRequest): Promise<StageResult> {
  try {
    return await runStage(request);
  } catch (error) {
    // DynamoDB or STS throttling anywhere in the stage is retried like the checks' own.
    throw asTransientStageError(error, `${request.stage} of ${request.integrationId}`) ?? error;
  }
}

async function runStage(request: StageRequest): Promise<StageResult> {
  const ids = {
    projectId: request.projectId,
    integrationId: request.integrationId,
    runId: request.runId,
    stage: request.stage,
    mode: request.mode,
  };
  const stopped = (): StageResult => {
    logger.info('validation run no longer owns the integration (deleted or superseded): stopping', ids);
    return { outcome: 'STOPPED' };
  };
  const integration = await loadOwnedIntegration(request);
  if (!integration) return stopped();

  const index = STAGE_ORDER.indexOf(request.stage);
  const earlier = integration.validation.stages[index];
  const startedAt =
    earlier?.name === request.stage && earlier.status === 'RUNNING' ? earlier.startedAt : new Date().toISOString();
  if (!(await recordStage(request, index, { name: request.stage, status: 'RUNNING', startedAt }))) return stopped();

  // A validation tests the candidate settings; the daily re-check, the proved ones the workers use.
  const target = { ...testedTargetOf(integration, request.mode), runId: request.runId };
  const outcome = await runCheck(request, target);
  const endedAt = new Date().toISOString();

  if (outcome.passed) {
    // During a rotation, whether the role still accepts the old ID: a note for the customer, never a failure.
    const { note } =
      request.stage === 'EXTERNAL_ID_ENFORCED' ? await checkOldExternalId(request, integration, target) : {};
    const entry: ValidationStage = {
      name: request.stage,
      status: 'SUCCEEDED',
      startedAt,
      endedAt,
      ...(note ? { message: note } : {}),
    };
    const isLast = index === STAGE_ORDER.length - 1;
    const recorded = isLast
      ? await recordRunSucceeded(request, index, entry, validatedSettingsFor(target, endedAt), integration)
      : await recordStage(request, index, entry);
    if (!recorded) return stopped();
    if (isLast) logger.info('validation succeeded', ids);
    return { outcome: 'PASSED', ...(outcome.bucketRegion ? { bucketRegion: outcome.bucketRegion } : {}) };
  }

  const { code, message } = outcome.failure;
  const entry: ValidationStage = { name: request.stage, status: 'FAILED', code, message, startedAt, endedAt };
  if (!(await recordRunFailed(request, index, entry, statusAfterFailure(request, integration)))) return stopped();
  // The code only: the message may carry the external ID, which stays out of logs.
  logger.warn('validation failed', { ...ids, code });
  return { outcome: 'FAILED' };
}
