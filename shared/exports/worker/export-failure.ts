/**
 * How an export fails for good (ExportFailure), and the translation of errors met on either side
 * into such failures: reading the backup (fromSource) and writing to the customer's bucket
 * (CustomerAccessDiagnosis). Retryable errors, and any error after an abort, pass through unchanged.
 */
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { assumeRole } from '#shared/customer-bucket/assume-customer-role';
import { DENY_ALL_SESSION_POLICY } from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { classifyCustomerAccessError, type S3Operation, type StageName } from '#shared/validation/failures';
import { isRetryable } from '#shared/exports/worker/retry';

/**
 * A failure that ends the job for good, with the code and sentence the customer sees. When the
 * customer's side is at fault (`stage` set), the integration is marked FAILED with the same code
 * and message a validation run would report, so the customer knows what to fix and can validate
 * again.
 */
export class ExportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly stage?: StageName,
  ) {
    super(message);
    this.name = 'ExportFailure';
  }
}

const isPassThrough = (error: unknown, signal: AbortSignal) =>
  signal.aborted || isRetryable(error) || error instanceof ExportFailure;

/**
 * Runs one read of a backup file. A file that changed or vanished since planning fails the job;
 * a platform bucket we cannot read is ours to fix, and the message says so without naming it.
 */
export async function fromSource<T>(fileName: string, signal: AbortSignal, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isPassThrough(error, signal)) throw error;
    const status = statusOf(error);
    if (status === 412 || status === 404 || nameOf(error) === 'NoSuchKey' || nameOf(error) === 'PreconditionFailed') {
      throw new ExportFailure(
        'BACKUP_FILES_CHANGED',
        `The backup file "${fileName}" changed or disappeared while it was being exported. ` +
          'Export the backup again; if this repeats, contact support.',
      );
    }
    throw new ExportFailure(
      'BACKUP_UNREADABLE',
      'The platform could not read the files of this backup. This is not a problem with your bucket: contact support.',
    );
  }
}

/**
 * Explains errors of the customer's bucket. A 403 mid-export can mean the customer changed the
 * role's permissions or revoked the role itself; a fresh AssumeRole (without our cached session)
 * tells the two apart, so the job reports ROLE_ASSUMPTION_FAILED when the role is gone or no
 * longer trusts us, and the denied permission otherwise. That AssumeRole carries a deny-all session
 * policy: a diagnosis never holds the role's full rights.
 */
export class CustomerAccessDiagnosis {
  /** Parallel copies that all meet the same 403 share one AssumeRole check. */
  private roleCheck: Promise<ExportFailure | undefined> | undefined;

  constructor(private readonly target: CustomerTarget) {}

  async step<T>(operation: S3Operation, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isPassThrough(error, signal)) throw error;
      throw await this.explain(operation, error);
    }
  }

  async explain(operation: S3Operation, error: unknown): Promise<unknown> {
    if (statusOf(error) === 403) {
      this.roleCheck ??= this.roleProblem();
      const roleProblem = await this.roleCheck;
      if (roleProblem) return roleProblem;
    }
    const failure = await classifyCustomerAccessError(operation, error, this.target);
    return failure ? new ExportFailure(failure.code, failure.message, failure.stage) : error;
  }

  private async roleProblem(): Promise<ExportFailure | undefined> {
    try {
      await assumeRole({
        roleArn: this.target.roleArn,
        externalId: this.target.externalId,
        sessionName: `${this.target.integrationId}-export-check`.slice(0, 64),
        // The question is only whether STS still grants the role: the session needs no rights.
        sessionPolicy: DENY_ALL_SESSION_POLICY,
      });
      return undefined;
    } catch (error) {
      const failure = await classifyCustomerAccessError('AssumeRole', error, this.target);
      return failure ? new ExportFailure(failure.code, failure.message, failure.stage) : undefined;
    }
  }
}
