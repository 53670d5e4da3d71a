import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { startReplay } from '#shared/forwarding/replay/manage-replays';
import { clusterPath, replayBody } from '#shared/forwarding/schemas';

export const handler = apiHandler({ path: clusterPath, body: replayBody }, async ({ caller, path, body }) =>
  json(202, await startReplay(caller, path.projectId, path.clusterId, body)),
);
