/**
 * What went wrong in a delivery, in the terms health reports. Only an access problem the customer
 * must fix (the validation classifier's verdict) marks the integration FAILED; anything transient
 * stays pending and is retried, and a problem on our side never blames the customer. A conflict
 * or an oversized file is about one file: it is reported and the others go on.
 */
import { isTransient, nameOf } from '#shared/aws/error-kinds';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { awsErrorText } from '#shared/validation/aws-error-text';
import { classifyCustomerAccessError, type StageFailure } from '#shared/validation/failures';

export type DeliveryProblem =
  | { kind: 'access'; code: string; message: string; failure: StageFailure }
  | { kind: 'retry'; code: 'DELIVERY_DELAYED' | 'DELIVERY_FAILED' | 'AUDIT_LOGS_UNAVAILABLE'; message: string }
  | { kind: 'file'; code: 'DELIVERY_CONFLICT' | 'AUDIT_LOG_TOO_LARGE'; message: string };

const RETRY_HINT = 'the file stays pending and is delivered, oldest first, once the bucket answers again';

/** A failure of AssumeRole, or of an S3 call on the customer's bucket. */
export async function customerProblem(
  operation: 'AssumeRole' | 'PutObject' | 'GetObject',
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

export function conflictProblem(bucket: string, key: string): DeliveryProblem {
  return {
    kind: 'file',
    code: 'DELIVERY_CONFLICT',
    message:
      `s3://${bucket}/${key} already holds other content than the audit-log file of that name, ` +
      `so it was not overwritten; remove or rename that object, ` +
      `then replay the hour (POST .../audit-log-forwarding/replay)`,
  };
}

export function tooLargeProblem(sourceKey: string, size: number): DeliveryProblem {
  return {
    kind: 'file',
    code: 'AUDIT_LOG_TOO_LARGE',
    message:
      `the platform's audit-log file ${sourceKey} is ${size} bytes, more than forwarding delivers; ` +
      `it was skipped (the platform's support must look at it)`,
  };
}
