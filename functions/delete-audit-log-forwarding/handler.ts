/** DELETE .../clusters/{clusterId}/audit-log-forwarding: turns the cluster's audit-log forwarding off (204). */
import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { removeForwarding } from '#shared/forwarding/use-cases';

export const handler = apiHandler('deleteAuditLogForwarding', async ({ caller, path }) => {
  await removeForwarding(caller, path.projectId, path.clusterId);
  return noContent();
});
