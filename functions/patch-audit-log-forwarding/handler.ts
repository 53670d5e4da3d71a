/** PATCH .../clusters/{clusterId}/audit-log-forwarding: pauses or resumes forwarding, or changes its compression. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { patchForwarding } from '#shared/forwarding/use-cases';

export const handler = apiHandler('patchAuditLogForwarding', async ({ caller, path, body }) =>
  json(200, await patchForwarding(caller, path.projectId, path.clusterId, body)),
);
