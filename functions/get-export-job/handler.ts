/** GET /v1/projects/{projectId}/jobs/{jobId}: one export job with its progress. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getExportJob } from '#shared/exports/use-cases';

export const handler = apiHandler('getExportJob', async ({ caller, path }) =>
  json(200, await getExportJob(caller, path.projectId, path.jobId)),
);
