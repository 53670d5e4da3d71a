import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { getSetupDocuments } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) =>
  json(200, await getSetupDocuments(caller, path.projectId, path.integrationId)),
);
