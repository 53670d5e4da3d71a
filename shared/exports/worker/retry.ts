/**
 * Retries of one unit of copy work (read from the platform bucket, write to the customer bucket,
 * verify). The SDK already retries each request a few times; this outer loop also re-reads the
 * source, so a corrupted or truncated transfer is redone from the original bytes.
 * "Full jitter" backoff (a random pause up to an exponentially growing cap) keeps many parallel
 * copies from retrying in lock-step against a throttling bucket.
 */
import { isTransient, nameOf } from '#shared/aws/error-kinds';

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const COPY_RETRIES: RetryPolicy = { attempts: 6, baseMs: 200, capMs: 8_000 };

/**
 * S3 answers these when the bytes it received do not match what was announced, or (409
 * ConditionalRequestConflict) when a conditional PutObject met a concurrent delete: send again.
 */
const CORRUPTED_IN_TRANSIT = new Set([
  'BadDigest',
  'InvalidDigest',
  'IncompleteBody',
  'XAmzContentSHA256Mismatch',
  'ConditionalRequestConflict',
]);

/** Raised by our own checks (short read, size or checksum mismatch after a copy). */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export const isRetryable = (error: unknown) =>
  isTransient(error) ||
  CORRUPTED_IN_TRANSIT.has(nameOf(error)) ||
  error instanceof IntegrityError ||
  isChecksumValidationFailure(error);

/** The SDK's own check of a GetObject body against the stored checksum. */
const isChecksumValidationFailure = (error: unknown) =>
  error instanceof Error && /checksum mismatch/i.test(error.message) && !('$metadata' in error);

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Thrown when transient failures outlasted the retries: the work is left for a later invocation. */
export class RetriesExhaustedError extends Error {
  constructor(readonly lastError: unknown) {
    super(`Gave up after repeated transient failures (last: ${nameOf(lastError)})`);
    this.name = 'RetriesExhaustedError';
  }
}

export async function withRetries<T>(
  work: () => Promise<T>,
  signal: AbortSignal,
  policy: RetryPolicy = COPY_RETRIES,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted || !isRetryable(error)) throw error;
      if (attempt >= policy.attempts) throw new RetriesExhaustedError(error);
      await pause(Math.random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt), signal);
    }
  }
}
