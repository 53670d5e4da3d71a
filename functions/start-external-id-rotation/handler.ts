import { apiHandler } from '#shared/http/api-handler';
import { json } from '#shared/http/responses';
import { integrationPath } from '#shared/integrations/schemas';
import { startRotation } from '#shared/integrations/rotate-external-id';

/** 201: the rotation is PENDING; the answer's documents show the trust policy that accepts both IDs. */
export const handler = apiHandler({ path: integrationPath }, async ({ caller, path }) =>
  json(201, await startRotation(caller, path.projectId, path.integrationId)),
);
