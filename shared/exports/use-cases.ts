/**
 * What the exports domain offers its handlers (functions/**), and all they may import from it
 * (see shared/integrations/use-cases.ts): the API's use cases, which authorize first, and the
 * workers' use cases with the schema of the queue message the export worker takes.
 */

export {
  getExportJob,
  listExportJobs,
  readExportRule,
  removeExportRule,
  setExportRule,
  startBackupExport,
} from '#shared/exports/manage-exports';
export { exportOnBackupCompleted } from '#shared/exports/auto-export';
export { exportMessage } from '#shared/exports/export-queue';
export { sweepExportJobs } from '#shared/exports/sweep-export-jobs';
export { runExportMessage } from '#shared/exports/worker/run-export-message';
export { endDeadLetteredWork } from '#shared/exports/worker/end-dead-lettered-work';
