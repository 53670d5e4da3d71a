import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metricsPublished } from '#shared/logger';
import { sweepExportJobs } from '#shared/exports/sweep-export-jobs';

/** Every five minutes (EventBridge schedule): ends abandoned export jobs and starts waiting ones. */
export const handler = middy<ScheduledEvent, void, Error, Context>()
  .use(metricsPublished())
  .handler(async (event) => {
    logger.resetKeys();
    const summary = await sweepExportJobs();
    logger.info('export jobs swept', { scheduledEventId: event.id, ...summary });
  });
