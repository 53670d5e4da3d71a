import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { startReplay } from '#shared/forwarding/use-cases';

export const handler = apiHandler('startAuditLogReplay', async ({ caller, path, body }) =>
  json(202, await startReplay(caller, path.projectId, path.clusterId, body)),
);
