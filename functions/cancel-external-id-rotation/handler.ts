import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { cancelRotation } from '#shared/integrations/rotate-external-id';

/** 204: the pending external ID is dropped (and never issued again); the current one stays. */
export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) => {
  await cancelRotation(caller, path.projectId, path.integrationId);
  return noContent();
});
