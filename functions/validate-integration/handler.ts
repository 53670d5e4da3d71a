/**
 * POST .../integrations/{integrationId}/validate, 202: a new validation run has started; poll
 * GET .../{integrationId} for its stages.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { revalidate } from '#shared/integrations/use-cases';

export const handler = apiHandler('validateIntegration', async ({ caller, path }) =>
  json(202, await revalidate(caller, path.projectId, path.integrationId)),
);
