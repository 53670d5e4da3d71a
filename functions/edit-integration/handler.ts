/** PATCH /v1/projects/{projectId}/integrations/{integrationId}: edits the name, description or KMS key. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { editIntegration } from '#shared/integrations/use-cases';

/** 200: the integration as edited, with its documents (a changed KMS key changes the policy). */
export const handler = apiHandler('editIntegration', async ({ caller, path, body }) =>
  json(200, await editIntegration(caller, path.projectId, path.integrationId, body)),
);
