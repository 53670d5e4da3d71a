/**
 * What every invocation that works on a job needs, whichever share of it (coordinating, a lane):
 * the customer's bucket through the settings validation last proved (customer-target.ts, never a
 * role that is only pending), and the export's own folder. Built once per invocation.
 */
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { AttemptRef } from '#shared/exports/checkpoints/attempt';
import type { ExportJob } from '#shared/exports/export-job';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import { CustomerWrites } from '#shared/exports/worker/customer-writes';
import { CustomerAccessDiagnosis, ExportFailure } from '#shared/exports/worker/export-failure';
import type { TimeBudget } from '#shared/exports/worker/time-budget';

export interface ExportContext {
  job: ExportJob;
  attempt: AttemptRef;
  env: CopyEnv;
  budget: TimeBudget;
  /** The invocation (its Lambda request id and message id): the owner of every lease it takes. */
  owner: string;
}

export const INTEGRATION_GONE = () =>
  new ExportFailure(
    'INTEGRATION_NOT_ACTIVE',
    'The integration of this export was deleted or is no longer ACTIVE: validate it again and export again.',
  );

export const attemptOf = (job: ExportJob): AttemptRef => ({
  projectId: job.projectId,
  jobId: job.jobId,
  attempt: job.attempt,
});

/** The context, or undefined when the integration can no longer be used (deleted, not validated). */
export async function openContext(
  job: ExportJob,
  owner: string,
  budget: TimeBudget,
): Promise<ExportContext | undefined> {
  const integration = await loadIntegration(job.projectId, job.integrationId);
  const target = integration && workerTargetOf(integration);
  if (!target) return undefined;
  const env: CopyEnv = {
    source: job.source,
    writes: new CustomerWrites(target, job.destination.prefix),
    access: new CustomerAccessDiagnosis(target),
    exportFolder: job.destination.prefix,
    signal: budget.signal,
  };
  return { job, attempt: attemptOf(job), env, budget, owner };
}
