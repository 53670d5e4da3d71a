/**
 * The shapes of validation's failures (docs/product-contract.md §4); the codes' messages are built in
 * failures.ts and kms-failures.ts, which both need these (a module of their own keeps the two
 * free of an import cycle).
 */
import type { CustomerTarget } from '#shared/customer-bucket/types';
import type { ValidationStage } from '#shared/integrations/schemas';

export type StageName = ValidationStage['name'];

export type FailureCode =
  | 'ROLE_ASSUMPTION_FAILED'
  | 'EXTERNAL_ID_NOT_ENFORCED'
  | 'BUCKET_NOT_FOUND'
  | 'BUCKET_ACCESS_DENIED'
  | 'BUCKET_REGION_MISMATCH'
  | 'WRITE_ACCESS_DENIED'
  | 'KMS_ACCESS_DENIED'
  | 'LIST_ACCESS_DENIED'
  | 'READ_ACCESS_DENIED'
  | 'PROBE_MISMATCH'
  | 'VALIDATION_INTERRUPTED';

export interface StageFailure {
  stage: StageName;
  code: FailureCode;
  message: string;
}

/** What the messages name: the integration's role, external ID, bucket, region and key. */
export type FailureTarget = Omit<CustomerTarget, 'integrationId' | 'bucketOwnerAccountId'>;
