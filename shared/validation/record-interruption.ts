/**
 * The state machine's Catch lands here when a stage could not finish: retries of a transient
 * error ran out, the task timed out, or something unexpected broke. The run must not stay
 * RUNNING: the report ends FAILED on the stage that was running, with VALIDATION_INTERRUPTED, so
 * the customer knows to try again. A user-started run leaves the integration FAILED (nothing proved
 * the settings it tested), unless it tested only a new key or external ID beside proved settings,
 * which keep serving (run-store.ts, statusAfterFailure); a recheck leaves it ACTIVE, since nothing
 * showed that access is broken.
 *
 * `errorName` is the Step Functions error name only (e.g. TransientStageError, States.Timeout);
 * the Cause is not passed in, so no AWS message or stack reaches this function or its logs.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { STAGE_ORDER, validationInterrupted } from '#shared/validation/failures';
import type { RunRef } from '#shared/validation/run-input';
import { loadOwnedIntegration, recordRunFailed, statusAfterInterruption } from '#shared/validation/run-store';

export async function recordValidationInterruption(ref: RunRef, errorName: string): Promise<'RECORDED' | 'STOPPED'> {
  const ids = {
    projectId: ref.projectId,
    integrationId: ref.integrationId,
    runId: ref.runId,
    mode: ref.mode,
    error: errorName,
  };
  const integration = await loadOwnedIntegration(ref);
  if (!integration) {
    logger.info('interrupted validation run no longer owns the integration: nothing to record', ids);
    return 'STOPPED';
  }
  const stages = integration.validation.stages;
  const last = stages.at(-1);
  // The stage that was running, or the next one if it never got to record its start.
  const index = last?.status === 'RUNNING' ? stages.length - 1 : Math.min(stages.length, STAGE_ORDER.length - 1);
  const stage = STAGE_ORDER[index] ?? 'ASSUME_ROLE';
  const now = new Date().toISOString();
  const { code, message } = validationInterrupted(stage, errorName);
  const recorded = await recordRunFailed(
    ref,
    index,
    {
      name: stage,
      status: 'FAILED',
      code,
      message,
      startedAt: last?.status === 'RUNNING' ? last.startedAt : now,
      endedAt: now,
    },
    statusAfterInterruption(ref, integration),
  );
  logger.error('validation run interrupted', { ...ids, stage, recorded });
  // A fault of the service, never of the customer's setup: the ValidationRunsInterrupted alarm watches it.
  metrics.singleMetric().addMetric('ValidationRunsInterrupted', MetricUnit.Count, 1);
  return recorded ? 'RECORDED' : 'STOPPED';
}
