/**
 * PUT .../clusters/{clusterId}/backup-export-rule: every later Backup Completed event of this cluster starts an
 * export into the rule's folder.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { setExportRule } from '#shared/exports/use-cases';

export const handler = apiHandler('putBackupExportRule', async ({ caller, path, body }) =>
  json(200, await setExportRule(caller, path.projectId, path.clusterId, body)),
);
