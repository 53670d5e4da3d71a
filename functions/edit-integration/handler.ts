import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { editIntegrationBody, integrationPath } from '#shared/integrations/schemas';
import { editIntegration } from '#shared/integrations/edit-integration';

/** 200: the integration as edited, with its documents (a changed KMS key changes the policy). */
export const handler = apiHandler({ path: integrationPath, body: editIntegrationBody }, async ({ caller, path, body }) =>
  json(200, await editIntegration(caller, path.projectId, path.integrationId, body)),
);
