/**
 * An integration as stored, what callers see of it (toView), and the settings its last successful
 * validation proved (ValidatedSettings).
 */
import type { IntegrationView } from '#shared/integrations/schemas';

/**
 * An integration as stored. `usedBy` holds the ids of the exports and forwarding configurations
 * that use it right now (a DynamoDB string set: adding and removing are idempotent), so delete can
 * refuse atomically while it is in use.
 */
export interface Integration extends IntegrationView {
  createdBy: string;
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
    ...view
  } = integration;
  return view;
}

/**
 * The settings a successful validation run proved, which every worker uses (the rule that decides
 * which settings reach a customer's bucket is in customer-target.ts).
 */
export interface ValidatedSettings {
  roleArn: string;
  externalId: string;
  /** The role's account, which the bucket must belong to (ExpectedBucketOwner on every call). */
  bucketOwnerAccountId: string;
  kmsKeyArn?: string;
  /** When the validation run that proved them ended. */
  at: string;
}
