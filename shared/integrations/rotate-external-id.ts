/**
 * External-ID rotation without downtime (a security policy, a leaked setup document):
 *
 * 1. POST .../external-id-rotation issues a new ID (PENDING). The setup documents' trust policy now
 *    accepts both IDs; work keeps using the current one.
 * 2. The customer updates the role's trust policy and validates: the run tests the new ID (and
 *    that other IDs are refused). Once it passes, the new ID is the integration's `externalId` and
 *    work uses it. If the role no longer accepts the old ID, the old one is retired at once;
 *    otherwise the rotation waits (RETIRING) for the customer to remove it from the trust policy
 *    and validate again: validation retires it when the role refuses it.
 * 3. DELETE .../external-id-rotation cancels a PENDING rotation. Retired and cancelled IDs are never
 *    issued again (their tombstones stay).
 *
 * The validation side is shared/validation/rotation-checks.ts.
 */
import { ConflictError, NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { newExternalId } from '#shared/integrations/identifiers';
import type { Integration } from '#shared/integrations/integration';
import { toView } from '#shared/integrations/integration-view';
import * as store from '#shared/integrations/integration-store';
import { documentsOf, requireIntegration } from '#shared/integrations/manage-integrations';
import { deletePendingRotation, saveNewRotation } from '#shared/integrations/rotation-store';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { VALIDATION_STALE_AFTER_MS } from '#shared/validation/run-input';

const validationRunning = (integration: Integration) =>
  integration.status === 'VALIDATING' &&
  Date.parse(integration.validation?.startedAt ?? '') > Date.now() - VALIDATION_STALE_AFTER_MS;

const VALIDATING = () =>
  new ConflictError(
    'VALIDATION_IN_PROGRESS',
    'A validation of this integration is running: wait for its result, then try again.',
  );

async function viewWithDocuments(
  projectId: string,
  integrationId: string,
): Promise<IntegrationView & { setup: SetupDocuments }> {
  const integration = await store.loadIntegration(projectId, integrationId);
  if (!integration) throw new ConflictError('CONCURRENT_UPDATE', 'The integration was deleted meanwhile.');
  return { ...toView(integration), setup: documentsOf(integration) };
}

export async function startRotation(caller: PlatformUser, projectId: string, integrationId: string) {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  const current = integration.externalIdRotation;
  if (current) {
    throw new ConflictError(
      'ROTATION_IN_PROGRESS',
      current.status === 'PENDING'
        ? "A rotation of the external ID is already under way: update the role's trust policy and validate, or " +
            'cancel it (DELETE .../external-id-rotation).'
        : "The last rotation is not finished: remove the old external ID from the role's trust policy and " +
            'validate to retire it, then rotate again.',
    );
  }
  if (validationRunning(integration)) throw VALIDATING();
  const now = new Date().toISOString();
  await saveNewRotation(integration, {
    status: 'PENDING',
    newExternalId: newExternalId(),
    oldExternalId: integration.externalId,
    startedAt: now,
  });
  logger.info('external ID rotation started', { projectId, integrationId });
  return viewWithDocuments(projectId, integrationId);
}

export async function cancelRotation(caller: PlatformUser, projectId: string, integrationId: string): Promise<void> {
  const integration = await requireIntegration(caller, projectId, integrationId, 'write');
  const rotation = integration.externalIdRotation;
  if (!rotation)
    throw new NotFoundError('This integration has no external ID rotation under way.', 'ROTATION_NOT_FOUND');
  if (rotation.status !== 'PENDING') {
    throw new ConflictError(
      'ROTATION_SWITCHED',
      "The new external ID is already in use and cannot be taken back: remove the old one from the role's trust " +
        'policy and validate to finish the rotation.',
    );
  }
  if (validationRunning(integration)) throw VALIDATING();
  await deletePendingRotation(integration, rotation, new Date().toISOString());
  logger.info('external ID rotation cancelled', { projectId, integrationId });
}
