/**
 * GET .../integrations/{integrationId}/lag-history: audit-log forwarding lag through the integration over the last
 * day.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { integrationLagHistory } from '#shared/forwarding/use-cases';

export const handler = apiHandler('getIntegrationLagHistory', async ({ caller, path }) =>
  json(200, await integrationLagHistory(caller, path.projectId, path.integrationId)),
);
