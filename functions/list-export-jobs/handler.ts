/** GET /v1/projects/{projectId}/jobs: a page of the project's export jobs. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { listExportJobs } from '#shared/exports/use-cases';

export const handler = apiHandler('listExportJobs', async ({ caller, path, query }) =>
  json(200, await listExportJobs(caller, path.projectId, query)),
);
