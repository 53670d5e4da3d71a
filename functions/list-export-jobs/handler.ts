import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listQuery, projectPath } from '#shared/integrations/schemas';
import { listExportJobs } from '#shared/exports/manage-exports';

export const handler = apiHandler({ path: projectPath, query: listQuery }, async ({ caller, path, query }) =>
  json(200, await listExportJobs(caller, path.projectId, query)),
);
