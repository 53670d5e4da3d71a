/**
 * An integration as stored in the table: the API's view plus the service's own bookkeeping (what
 * uses it, its re-check shard, the settings its last validation proved).
 */
import type { ExternalIdRotation, IntegrationView } from '#shared/integrations/schemas';

/** A rotation as stored: what callers see, and the run that saw the role refuse the old ID. */
export interface StoredRotation extends ExternalIdRotation {
  /**
   * Set by EXTERNAL_ID_ENFORCED of the validation run that found the old ID refused
   * (shared/validation/rotation-checks.ts).
   */
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
