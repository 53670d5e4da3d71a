/**
 * PUT .../integrations/{integrationId}/role, 202: the role is stored and validation has started; poll
 * GET .../{integrationId} for its stages.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { setRole } from '#shared/integrations/use-cases';

export const handler = apiHandler('setIntegrationRole', async ({ caller, path, body }) =>
  json(202, await setRole(caller, path.projectId, path.integrationId, body.roleArn)),
);
