import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { removeForwarding } from '#shared/forwarding/manage-forwarding';
import { clusterPath } from '#shared/projects/schemas';

export const handler = apiHandler({ path: clusterPath }, async ({ caller, path }) => {
  await removeForwarding(caller, path.projectId, path.clusterId);
  return noContent();
});
