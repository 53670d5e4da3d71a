/** GET /v1/projects/{projectId}/clusters: a page of the project's clusters (learnt from platform events). */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listClusters } from '#shared/projects/use-cases';

export const handler = apiHandler('listClusters', async ({ caller, path, query }) =>
  json(200, await listClusters(caller, path.projectId, query)),
);
