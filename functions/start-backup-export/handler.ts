/**
 * POST .../backups/{backupId}/export, 202: the export job is queued (or was already); poll GET .../jobs/{jobId} for
 * its progress.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { startBackupExport } from '#shared/exports/use-cases';

export const handler = apiHandler('startBackupExport', async ({ caller, path, body }) =>
  json(202, await startBackupExport(caller, path, body)),
);
