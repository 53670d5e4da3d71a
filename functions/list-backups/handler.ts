/** GET .../clusters/{clusterId}/backups: a page of the cluster's completed backups (learnt from platform events). */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listBackups } from '#shared/projects/use-cases';

export const handler = apiHandler('listBackups', async ({ caller, path, query }) =>
  json(200, await listBackups(caller, path.projectId, path.clusterId, query)),
);
