import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getReplayOf } from '#shared/forwarding/replay/manage-replays';
import { replayPath } from '#shared/forwarding/schemas';

export const handler = apiHandler({ path: replayPath }, async ({ caller, path }) =>
  json(200, await getReplayOf(caller, path.projectId, path.clusterId, path.replayId)),
);
