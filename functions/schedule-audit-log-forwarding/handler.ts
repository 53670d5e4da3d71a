import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metricsPublished } from '#shared/logger';
import { scheduleForwardingRuns, type ScheduleResult } from '#shared/forwarding/schedule-runs';

/**
 * Every minute (EventBridge schedule): one queue message per cluster with forwarding on. The
 * event's own time stamps the tick, so a retried invocation describes the same tick.
 */
export const handler = middy<ScheduledEvent, ScheduleResult, Error, Context>()
  .use(metricsPublished())
  .handler(async (event) => {
    logger.appendKeys({ tickId: event.id });
    const tick = event.time ? new Date(event.time) : new Date();
    return scheduleForwardingRuns(Number.isNaN(tick.getTime()) ? new Date() : tick);
  });
