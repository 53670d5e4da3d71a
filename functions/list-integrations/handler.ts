import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listQuery } from '#shared/integrations/schemas';
import { projectPath } from '#shared/projects/schemas';
import { listIntegrations } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: projectPath, query: listQuery }, async ({ caller, path, query }) =>
  json(200, await listIntegrations(caller, path.projectId, query)),
);
