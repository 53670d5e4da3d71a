/**
 * The service's own events (docs/product-contract.md §6): every status change a platform may want to tell its
 * customers about (e-mail, paging), published on the service's bus (PlatformEventBus) with source
 * `s3-integrations`. One detail type per kind of resource; `detail.status` says what it became.
 * The schemas are the contract: docs/openapi.json carries them (components.schemas, generated
 * from here) and docs/notifications.md explains them. Details hold ids, statuses and codes only:
 * never an external ID, a credential or a message that could quote one.
 */
import * as z from 'zod';
import { jobId } from '#shared/exports/schemas';
import { replayId } from '#shared/forwarding/schemas';
import { integrationId } from '#shared/integrations/schemas';
import { backupId, clusterId, projectId } from '#shared/projects/schemas';

/** serverless.yml's bus policy names it too: only the service's functions may put events with it. */
export const NOTIFICATION_SOURCE = 's3-integrations';

const ids = { projectId, integrationId };
const at = z.string().describe('when the change happened (ISO 8601, UTC)');

export const integrationStatusChanged = z
  .object({
    ...ids,
    status: z.enum(['ACTIVE', 'FAILED']),
    previousStatus: z
      .enum(['VALIDATING', 'ACTIVE'])
      .describe(
        'VALIDATING after a validation the customer started; ACTIVE when a re-check or work found access broken',
      ),
    code: z
      .string()
      .optional()
      .describe(
        'present when FAILED, or when a validation of a change failed ' +
          'while the proved settings keep serving (status ACTIVE): ' +
          "the failed stage's code, e.g. KMS_ACCESS_DENIED",
      ),
    stage: z.string().optional().describe('the failed validation stage, beside `code`'),
    detectedBy: z
      .string()
      .describe(
        'validation (a run the customer started), recheck (the daily re-validation), ' +
          'export or forwarding (work that found access broken)',
      ),
    at,
  })
  .describe(
    'Integration Status Changed: a validation ended, or a re-check or running work found the bucket unreachable',
  );

export const exportJobFinished = z
  .object({
    ...ids,
    jobId,
    clusterId,
    backupId,
    status: z.enum(['SUCCEEDED', 'FAILED']),
    code: z
      .string()
      .optional()
      .describe("present when FAILED: the job error's code, e.g. BUCKET_ACCESS_DENIED or EXPORT_ABANDONED"),
    at,
  })
  .describe('Export Job Finished: an export job ended, complete (SUCCEEDED) or not (FAILED)');

export const forwardingHealthChanged = z
  .object({
    ...ids,
    clusterId,
    health: z.enum(['HEALTHY', 'LAGGING', 'FAILING']),
    previousHealth: z.enum(['HEALTHY', 'LAGGING', 'FAILING']),
    lagSeconds: z.number().optional().describe('age of the oldest undelivered audit-log file'),
    code: z.string().optional().describe("present when FAILING: the last delivery error's code"),
    at,
  })
  .describe('Audit Log Forwarding Health Changed: forwarding of a cluster started or stopped lagging or failing');

export const replayFinished = z
  .object({
    ...ids,
    clusterId,
    replayId,
    status: z.enum(['SUCCEEDED', 'FAILED']),
    code: z
      .string()
      .optional()
      .describe("present when FAILED: the replay error's code, e.g. WRITE_ACCESS_DENIED or FORWARDING_NOT_FOUND"),
    at,
  })
  .describe(
    'Audit Log Replay Finished: a replay of audit logs ended, every hour delivered (SUCCEEDED) or not (FAILED)',
  );

/** Detail type -> schema of its detail: what docs/openapi.json and docs/notifications.md list. */
export const NOTIFICATIONS = {
  'Integration Status Changed': integrationStatusChanged,
  'Export Job Finished': exportJobFinished,
  'Audit Log Forwarding Health Changed': forwardingHealthChanged,
  'Audit Log Replay Finished': replayFinished,
} as const;

export type DetailType = keyof typeof NOTIFICATIONS;
export type Notification = {
  [Type in DetailType]: { detailType: Type; detail: z.infer<(typeof NOTIFICATIONS)[Type]> };
}[DetailType];

export type ForwardingHealth = z.infer<typeof forwardingHealthChanged>['health'];

/**
 * Forwarding's health in one word. FAILING: the last run could not deliver. LAGGING: the oldest
 * undelivered file is older than `lagAlertSeconds` (the operators' ForwardingLagAlarm uses the
 * same 15 minutes by default).
 */
export function forwardingHealthOf(
  health: { consecutiveFailures: number; lagSeconds?: number },
  lagAlertSeconds: number,
): ForwardingHealth {
  if (health.consecutiveFailures > 0) return 'FAILING';
  return (health.lagSeconds ?? 0) > lagAlertSeconds ? 'LAGGING' : 'HEALTHY';
}
