import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { removeIntegration } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) => {
  await removeIntegration(caller, path.projectId, path.integrationId);
  return noContent();
});
