import { isTransient, nameOf } from '#shared/aws/error-kinds';

/**
 * The one error a stage task throws for a failure worth retrying (throttling, 5xx, timeouts,
 * dropped connections). The state machine's Retry names it (`ErrorEquals: [TransientStageError]`,
 * backoff with full jitter), so transient trouble is retried while a customer mistake, which a
 * stage reports as its outcome instead of throwing, fails the run at once.
 *
 * Lambda reports a thrown error's `name` as its error type, which is what Step Functions matches.
 * The message names the AWS error only: never parameters or credentials.
 */
export class TransientStageError extends Error {
  constructor(cause: unknown) {
    super(`transient AWS error: ${nameOf(cause)}`);
    this.name = 'TransientStageError';
  }
}

/** Rethrows a transient error as TransientStageError; leaves every other error to the caller. */
export function throwIfTransient(error: unknown): void {
  if (isTransient(error)) throw new TransientStageError(error);
}
