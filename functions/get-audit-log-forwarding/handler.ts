/** GET .../clusters/{clusterId}/audit-log-forwarding: the cluster's audit-log forwarding with its delivery health. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getClusterForwarding } from '#shared/forwarding/use-cases';

export const handler = apiHandler('getAuditLogForwarding', async ({ caller, path }) =>
  json(200, await getClusterForwarding(caller, path.projectId, path.clusterId)),
);
