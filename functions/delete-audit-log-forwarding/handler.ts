import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { removeForwarding } from '#shared/forwarding/use-cases';

export const handler = apiHandler('deleteAuditLogForwarding', async ({ caller, path }) => {
  await removeForwarding(caller, path.projectId, path.clusterId);
  return noContent();
});
