import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { jobPath } from '#shared/exports/schemas';
import { getExportJob } from '#shared/exports/manage-exports';

export const handler = apiHandler({ path: jobPath }, async ({ caller, path }) =>
  json(200, await getExportJob(caller, path.projectId, path.jobId)),
);
