/** DELETE /v1/projects/{projectId}/integrations/{integrationId}/external-id-rotation: cancels a PENDING rotation. */
import { apiHandler } from '#shared/http/api-handler';
import { noContent } from '#shared/http/responses';
import { cancelRotation } from '#shared/integrations/use-cases';

/** 204: the pending external ID is dropped (and never issued again); the current one stays. */
export const handler = apiHandler('cancelExternalIdRotation', async ({ caller, path }) => {
  await cancelRotation(caller, path.projectId, path.integrationId);
  return noContent();
});
