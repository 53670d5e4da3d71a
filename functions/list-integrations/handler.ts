import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listQuery, projectPath } from '#shared/integrations/schemas';
import { listIntegrations } from '#shared/integrations/manage-integrations';

export const handler = apiHandler({ path: projectPath, query: listQuery }, async ({ caller, path, query }) =>
  json(200, await listIntegrations(caller, path.projectId, query)),
);
