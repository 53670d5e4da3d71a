import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { exportBody } from '#shared/exports/schemas';
import { backupPath } from '#shared/projects/schemas';
import { startBackupExport } from '#shared/exports/manage-exports';

/** 202: the export job is queued (or was already); poll GET .../jobs/{jobId} for its progress. */
export const handler = apiHandler({ path: backupPath, body: exportBody }, async ({ caller, path, body }) =>
  json(202, await startBackupExport(caller, path, body)),
);
