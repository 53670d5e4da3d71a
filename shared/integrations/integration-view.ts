/*
 * An integration as the API shows it. Its own module: it needs customer-target.ts (which changes
 * await a validation), which needs integration.ts, so it cannot live in either without a cycle.
 */
import { changesAwaitingValidation } from '#shared/integrations/customer-target';
import type { Integration } from '#shared/integrations/integration';
import type { IntegrationView } from '#shared/integrations/schemas';

/** What callers see: the stored integration without the service's own bookkeeping. */
export function toView(integration: Integration): IntegrationView {
  const {
    createdBy: _createdBy,
    usedBy: _usedBy,
    recheckShard: _recheckShard,
    lastCheckedAt: _lastCheckedAt,
    validated: _validated,
    validationWindow: _validationWindow,
    validationsInWindow: _validationsInWindow,
    externalIdRotation: rotation,
    ...view
  } = integration;
  const awaitingValidation = changesAwaitingValidation(integration);
  return {
    ...view,
    ...(rotation
      ? {
          externalIdRotation: {
            status: rotation.status,
            newExternalId: rotation.newExternalId,
            oldExternalId: rotation.oldExternalId,
            startedAt: rotation.startedAt,
          },
        }
      : {}),
    ...(awaitingValidation.length > 0 ? { awaitingValidation } : {}),
  };
}
