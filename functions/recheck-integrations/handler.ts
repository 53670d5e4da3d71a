import type { Context, ScheduledEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, publishMetrics } from '#shared/logger';
import { recheckActiveIntegrations } from '#shared/validation/recheck';

/** Time kept back from the Lambda timeout to finish the starts in flight and log the summary. */
const SAFETY_MARGIN_MS = 30_000;

/** The daily schedule's target: re-validates every ACTIVE integration due for a check. */
export const handler = async (event: ScheduledEvent, context: Context): Promise<void> => {
  const summary = await recheckActiveIntegrations({ deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS });
  logger.info('daily re-validation started', { scheduledEventId: event.id, ...summary });
  // Alarmed on (docs/operations.md): starts Step Functions refused, and runs the deadline cut short.
  metrics.addMetric('RechecksStarted', MetricUnit.Count, summary.started);
  metrics.addMetric('RecheckStartFailures', MetricUnit.Count, summary.notStarted);
  metrics.addMetric('RecheckIncomplete', MetricUnit.Count, summary.complete ? 0 : 1);
  publishMetrics();
};
