import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { getIntegration } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) =>
  json(200, await getIntegration(caller, path.projectId, path.integrationId)),
);
