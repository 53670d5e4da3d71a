/**
 * GET .../integrations/{integrationId}/setup: the IAM policy, trust policy and CloudFormation template for the
 * customer.
 */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { getSetupDocuments } from '#shared/integrations/use-cases';

export const handler = apiHandler('getIntegrationSetup', async ({ caller, path }) =>
  json(200, await getSetupDocuments(caller, path.projectId, path.integrationId)),
);
