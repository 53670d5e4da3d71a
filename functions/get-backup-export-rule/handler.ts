/** GET .../clusters/{clusterId}/backup-export-rule: the cluster's auto-export rule. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { readExportRule } from '#shared/exports/use-cases';

export const handler = apiHandler('getBackupExportRule', async ({ caller, path }) =>
  json(200, await readExportRule(caller, path.projectId, path.clusterId)),
);
