/**
 * PUT .../clusters/{clusterId}/audit-log-forwarding: turns forwarding on (201) or changes its integration or
 * directory (200; delivery continues where it stood).
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { putForwarding } from '#shared/forwarding/use-cases';

export const handler = apiHandler('putAuditLogForwarding', async ({ caller, path, body }) => {
  const { created, forwarding } = await putForwarding(caller, path.projectId, path.clusterId, body);
  return json(created ? 201 : 200, forwarding);
});
