/** GET .../integrations/{integrationId}: an integration with its status, latest validation report and health. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getIntegration } from '#shared/integrations/use-cases';

export const handler = apiHandler('getIntegration', async ({ caller, path }) =>
  json(200, await getIntegration(caller, path.projectId, path.integrationId)),
);
