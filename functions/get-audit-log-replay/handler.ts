/** GET .../audit-log-forwarding/replay/{replayId}: a replay job of the cluster, with its progress. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getReplay } from '#shared/forwarding/use-cases';

export const handler = apiHandler('getAuditLogReplay', async ({ caller, path }) =>
  json(200, await getReplay(caller, path.projectId, path.clusterId, path.replayId)),
);
