/**
 * DELETE .../clusters/{clusterId}/backup-export-rule (204): stops automatic exports of this cluster; jobs already
 * started run to their end.
 */
import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { removeExportRule } from '#shared/exports/use-cases';

export const handler = apiHandler('deleteBackupExportRule', async ({ caller, path }) => {
  await removeExportRule(caller, path.projectId, path.clusterId);
  return noContent();
});
