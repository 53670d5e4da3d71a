/** Every five minutes (EventBridge schedule): ends abandoned export jobs and starts waiting ones. */
import { sweepExportJobs } from '#shared/exports/use-cases';
import { scheduleHandler } from '#shared/worker/worker-handlers';

export const handler = scheduleHandler(() => sweepExportJobs());
