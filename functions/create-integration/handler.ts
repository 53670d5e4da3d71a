/** POST /v1/projects/{projectId}/integrations: creates an integration (AWAITING_ROLE) and answers 201 with it. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { createIntegration } from '#shared/integrations/use-cases';

export const handler = apiHandler('createIntegration', async ({ caller, path, body }) =>
  json(201, await createIntegration(caller, path.projectId, body)),
);
