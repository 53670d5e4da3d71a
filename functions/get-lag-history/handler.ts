import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { integrationLagHistory } from '#shared/forwarding/read-lag-history';

export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) =>
  json(200, await integrationLagHistory(caller, path.projectId, path.integrationId)),
);
