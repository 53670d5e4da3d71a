/**
 * The one error a stage task throws for a failure worth retrying (throttling, 5xx, timeouts,
 * dropped connections). The state machine's Retry names it (`ErrorEquals: [TransientStageError]`,
 * backoff with full jitter), so transient trouble is retried while a customer mistake, which a
 * stage reports as its outcome instead of throwing, fails the run at once.
 *
 * Lambda reports a thrown error's `name` as its error type, which is what Step Functions matches.
 * The message names the stage, the integration and the AWS error's name only (it lands in the
 * execution history): never parameters, messages or credentials.
 */
import { isTransient, nameOf } from '#shared/aws/error-kinds';

export class TransientStageError extends Error {
  constructor(
    readonly awsError: string,
    where?: string,
  ) {
    super(`${where ? `${where}: ` : ''}transient AWS error ${awsError}, retried by the state machine`);
    this.name = 'TransientStageError';
  }
}

/** Rethrows a transient error as TransientStageError; leaves every other error to the caller. */
export function throwIfTransient(error: unknown): void {
  if (isTransient(error)) throw new TransientStageError(nameOf(error));
}

/** The same, for the outermost catch of a stage: names where it happened. */
export function asTransientStageError(error: unknown, where: string): TransientStageError | undefined {
  if (error instanceof TransientStageError) return new TransientStageError(error.awsError, where);
  return isTransient(error) ? new TransientStageError(nameOf(error), where) : undefined;
}
