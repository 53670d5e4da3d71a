/** POST /v1/projects/{projectId}/integrations/{integrationId}/external-id-rotation: issues a new external ID. */
import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { startRotation } from '#shared/integrations/use-cases';

/** 201: the rotation is PENDING; the answer's documents show the trust policy that accepts both IDs. */
export const handler = apiHandler('startExternalIdRotation', async ({ caller, path }) =>
  json(201, await startRotation(caller, path.projectId, path.integrationId)),
);
