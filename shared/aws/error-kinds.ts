/**
 * How to treat an AWS error: transient ones (throttling, 5xx, dropped connections, timeouts) are
 * worth retrying with backoff; everything else (access denied, no such bucket, bad input) will fail
 * the same way again and must surface at once.
 */

/** Error names that mean "not now": throttling, and the service's own passing failures (5xx, timeouts). */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'PriorDatabaseNotSupported',
  'InternalError',
  'ServiceUnavailable',
]);

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'TimeoutError',
  'AbortError',
]);

export interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $retryable?: unknown;
}

export const statusOf = (error: unknown) => (error as AwsErrorShape)?.$metadata?.httpStatusCode;

export const nameOf = (error: unknown) => (error as AwsErrorShape)?.name ?? (error as AwsErrorShape)?.code ?? 'Error';

export function isTransient(error: unknown): boolean {
  const shape = error as AwsErrorShape;
  if (!shape || typeof shape !== 'object') return false;
  const status = statusOf(error);
  return (
    THROTTLING.has(nameOf(error)) ||
    NETWORK.has(shape.code ?? '') ||
    NETWORK.has(shape.name ?? '') ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    Boolean(shape.$retryable)
  );
}
