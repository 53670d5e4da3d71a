/** The daily schedule's target: re-validates every ACTIVE integration due for a check. */
import { recheckActiveIntegrations } from '#shared/validation/use-cases';
import { scheduleHandler } from '#shared/worker/worker-handlers';

/** Time kept back from the Lambda timeout to finish the starts in flight and log the summary. */
const SAFETY_MARGIN_MS = 30_000;

export const handler = scheduleHandler((_tick, context) =>
  recheckActiveIntegrations({ deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS }),
);
