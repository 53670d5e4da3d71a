import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { patchForwarding } from '#shared/forwarding/manage-forwarding';
import { clusterPath, forwardingPatch } from '#shared/forwarding/schemas';

export const handler = apiHandler({ path: clusterPath, body: forwardingPatch }, async ({ caller, path, body }) =>
  json(200, await patchForwarding(caller, path.projectId, path.clusterId, body)),
);
