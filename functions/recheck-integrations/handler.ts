/**
 * The daily schedule's target: re-validates every ACTIVE integration due for a check. Invoked once
 * by the deployer after an upgrade with events/aws.events/upgrade-recheck.json (`detail.scope`
 * "unproved"), it re-validates at once every ACTIVE integration no run of the current probe proved
 * (docs/deploy.md).
 */
import { recheckActiveIntegrations } from '#shared/validation/use-cases';
import { scheduleHandler } from '#shared/worker/worker-handlers';

/** Time kept back from the Lambda timeout to finish the starts in flight and log the summary. */
const SAFETY_MARGIN_MS = 30_000;

const isUpgradeRun = (detail: unknown) =>
  typeof detail === 'object' && detail !== null && (detail as { scope?: unknown }).scope === 'unproved';

export const handler = scheduleHandler((tick, context) =>
  recheckActiveIntegrations({
    deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
    unprovedOnly: isUpgradeRun(tick.detail),
  }),
);
