import { isTransient, nameOf } from '#shared/aws/error-kinds';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { awsErrorText } from '#shared/validation/aws-error-text';
import { classifyCustomerAccessError, type StageFailure } from '#shared/validation/failures';

/**
 * What went wrong in a delivery run, in the terms health reports. Only an access problem the
 * customer must fix (the validation classifier's verdict) marks the integration FAILED; anything
 * transient is retried from the same file on the next run, and a problem on our side never blames
 * the customer.
 */
export type DeliveryProblem =
  | { kind: 'access'; code: string; message: string; failure: StageFailure }
  | { kind: 'retry'; code: 'DELIVERY_DELAYED' | 'DELIVERY_FAILED' | 'AUDIT_LOGS_UNAVAILABLE'; message: string };

const RETRY_HINT = 'forwarding resumes from the same file on the next run';

/** A failure of AssumeRole or of the PutObject of one file into the customer's bucket. */
export async function customerProblem(
  operation: 'AssumeRole' | 'PutObject',
  error: unknown,
  target: CustomerTarget,
  key?: string,
): Promise<DeliveryProblem> {
  const failure = await classifyCustomerAccessError(operation, error, target);
  if (failure) return { kind: 'access', code: failure.code, message: failure.message, failure };
  const where = key ? ` of s3://${target.bucketName}/${key}` : '';
  const service = operation === 'AssumeRole' ? 'STS' : 'S3';
  const text = `${operation}${where} failed: ${awsErrorText(service, operation, error)}; ${RETRY_HINT}`;
  // Not the customer's doing and not transient (e.g. a request S3 refuses as invalid): still retried,
  // and the code tells support that it is ours to look at.
  return { kind: 'retry', code: isTransient(error) ? 'DELIVERY_DELAYED' : 'DELIVERY_FAILED', message: text };
}

/** Reading the platform's own audit-log bucket failed: never the customer's fault. */
export function sourceProblem(error: unknown): DeliveryProblem {
  return {
    kind: 'retry',
    code: 'AUDIT_LOGS_UNAVAILABLE',
    message: `reading the platform's audit logs failed (${nameOf(error)}); ${RETRY_HINT}`,
  };
}
