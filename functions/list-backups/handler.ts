import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { clusterPath } from '#shared/projects/schemas';
import { listQuery } from '#shared/integrations/schemas';
import { listBackups } from '#shared/projects/list-clusters';

export const handler = apiHandler({ path: clusterPath, query: listQuery }, async ({ caller, path, query }) =>
  json(200, await listBackups(caller, path.projectId, path.clusterId, query)),
);
