/** DELETE /v1/projects/{projectId}/integrations/{integrationId}: deletes an integration that nothing uses (204). */
import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { removeIntegration } from '#shared/integrations/use-cases';

export const handler = apiHandler('deleteIntegration', async ({ caller, path }) => {
  await removeIntegration(caller, path.projectId, path.integrationId);
  return noContent();
});
