/**
 * The daily re-validation (issue 7 item 4): every ACTIVE integration not checked for
 * RECHECK_AFTER_HOURS runs the validation state machine again in `recheck` mode. The integration
 * stays ACTIVE while it runs (exports keep working) and becomes FAILED, with the stage, code and
 * message, only if a stage fails: a customer who revoked access learns it from the report instead
 * of from a failed export at night.
 *
 * Starts fan out with at most RECHECK_CONCURRENCY in flight (Step Functions' StartExecution quota
 * and DynamoDB are shared with the API), and stop before `deadline`: what is left is the
 * longest-unchecked, which the next run takes first.
 *
 * The upgrade re-check (`unprovedOnly`, run once by the deployer: docs/deploy.md) starts a run for
 * every ACTIVE integration that no run of the current external-ID probe proved, however recently
 * it was checked: those carry no work until it passes (customer-target.ts, awaitsUpgradeRecheck).
 */
import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { stepFunctions } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import {
  beginRecheck,
  loadDueIntegrations,
  restoreAfterFailedRecheckStart,
  type DueIntegration,
} from '#shared/validation/recheck-store';
import type { RunRef } from '#shared/validation/run-input';
import { VALIDATION_STALE_AFTER_MS } from '#shared/validation/start-validation';
import { inParallel } from '#shared/worker/in-parallel';

export interface RecheckSummary {
  started: number;
  /** Claimed by someone else meanwhile (a customer's validation, an export marking it FAILED). */
  skipped: number;
  /** Step Functions refused the start; the report was put back and the next run tries again. */
  notStarted: number;
  /** False when the deadline stopped the run before every due integration was started. */
  complete: boolean;
}

const HOUR_MS = 3_600_000;

export interface RecheckOptions {
  deadline: number;
  now?: Date;
  /** Only integrations with nothing proved by the current probe, whenever they were last checked. */
  unprovedOnly?: boolean;
}

export async function recheckActiveIntegrations(options: RecheckOptions): Promise<RecheckSummary> {
  const now = options.now ?? new Date();
  const unprovedOnly = options.unprovedOnly === true;
  const dueBefore = unprovedOnly
    ? now.toISOString()
    : new Date(now.getTime() - config().RECHECK_AFTER_HOURS * HOUR_MS).toISOString();
  const staleBefore = new Date(now.getTime() - VALIDATION_STALE_AFTER_MS).toISOString();
  const summary: RecheckSummary = { started: 0, skipped: 0, notStarted: 0, complete: true };
  const { complete } = await inParallel(
    loadDueIntegrations(dueBefore),
    config().RECHECK_CONCURRENCY,
    async (integration) => {
      summary[await recheckOne(integration, { dueBefore, staleBefore, unprovedOnly })] += 1;
    },
    { mayContinue: () => Date.now() < options.deadline },
  );
  summary.complete = complete;
  logger.info(unprovedOnly ? 'upgrade re-validation started' : 'daily re-validation started', { ...summary });
  // Alarmed on (docs/operations.md): starts Step Functions refused, and runs the deadline cut short.
  metrics.addMetric('RechecksStarted', MetricUnit.Count, summary.started);
  metrics.addMetric('RecheckStartFailures', MetricUnit.Count, summary.notStarted);
  metrics.addMetric('RecheckIncomplete', MetricUnit.Count, summary.complete ? 0 : 1);
  return summary;
}

async function recheckOne(
  integration: DueIntegration,
  window: { dueBefore: string; staleBefore: string; unprovedOnly: boolean },
): Promise<'started' | 'skipped' | 'notStarted'> {
  const input: RunRef = {
    projectId: integration.projectId,
    integrationId: integration.integrationId,
    runId: `${integration.integrationId}-recheck-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
    mode: 'recheck',
  };
  const claimed = await beginRecheck(integration, {
    runId: input.runId,
    startedAt: new Date().toISOString(),
    ...window,
  });
  if (!claimed) return 'skipped';
  try {
    await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: config().VALIDATION_STATE_MACHINE_ARN,
        name: input.runId,
        input: JSON.stringify(input),
      }),
    );
    return 'started';
  } catch (error) {
    logger.error('could not start a recheck', {
      projectId: input.projectId,
      integrationId: input.integrationId,
      error: (error as Error).name,
    });
    await restoreAfterFailedRecheckStart(integration, input.runId, claimed.previous);
    return 'notStarted';
  }
}
