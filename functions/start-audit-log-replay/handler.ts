/**
 * POST .../audit-log-forwarding/replay {from, to}: starts a job that delivers the window's audit-log files again
 * to the same keys (202; the job runs on the forwarding queue).
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { startReplay } from '#shared/forwarding/use-cases';

export const handler = apiHandler('startAuditLogReplay', async ({ caller, path, body }) =>
  json(202, await startReplay(caller, path.projectId, path.clusterId, body)),
);
