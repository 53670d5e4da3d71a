import { changesAwaitingValidation, type ValidatedSettings } from '#shared/integrations/customer-target';
import type { ExternalIdRotation, IntegrationView } from '#shared/integrations/schemas';

/** A rotation as stored: what callers see, and the run that saw the role refuse the old ID. */
export interface StoredRotation extends ExternalIdRotation {
  /** Set by EXTERNAL_ID_ENFORCED of the validation run that found the old ID refused (shared/validation/rotation-checks.ts). */
  oldIdRefusedBy?: string;
}

/**
 * An integration as stored. `usedBy` holds the ids of the exports and forwarding configurations
 * that use it right now (a DynamoDB string set: adding and removing are idempotent), so delete can
 * refuse atomically while it is in use.
 */
export interface Integration extends Omit<IntegrationView, 'externalIdRotation'> {
  createdBy: string;
  externalIdRotation?: StoredRotation;
  usedBy?: Set<string>;
  /** RecheckIndex keys (shared/table/keys.ts), kept by validation runs: internal, never shown. */
  recheckShard?: string;
  lastCheckedAt?: string;
  /** The settings the last successful validation proved: what workers use (customer-target.ts). */
  validated?: ValidatedSettings;
  /** The minute (`YYYY-MM-DDTHH:MM`) and number of validation runs started in it (the per-minute limit). */
  validationWindow?: string;
  validationsInWindow?: number;
}

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
    ...(rotation ? { externalIdRotation: { status: rotation.status, newExternalId: rotation.newExternalId, oldExternalId: rotation.oldExternalId, startedAt: rotation.startedAt } } : {}),
    ...(awaitingValidation.length > 0 ? { awaitingValidation } : {}),
  };
}

/** Only ACTIVE integrations can carry exports and forwarding (SPEC section 3). */
export const isUsable = (integration: Integration) => integration.status === 'ACTIVE';
