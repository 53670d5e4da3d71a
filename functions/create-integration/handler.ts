import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { createIntegrationBody } from '#shared/integrations/schemas';
import { projectPath } from '#shared/projects/schemas';
import { createIntegration } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: projectPath, body: createIntegrationBody }, async ({ caller, path, body }) =>
  json(201, await createIntegration(caller, path.projectId, body)),
);
