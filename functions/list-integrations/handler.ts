/** GET /v1/projects/{projectId}/integrations: a page of the project's integrations. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listIntegrations } from '#shared/integrations/use-cases';

export const handler = apiHandler('listIntegrations', async ({ caller, path, query }) =>
  json(200, await listIntegrations(caller, path.projectId, query)),
);
