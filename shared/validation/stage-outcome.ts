/**
 * What one check found. A customer mistake is an outcome, not an exception: the stage records it
 * and the run stops. Only transient trouble is thrown (TransientStageError) for the state
 * machine to retry, and anything unexpected is thrown as is.
 */
import type { StageFailure } from '#shared/validation/failures';

export type CheckOutcome = { passed: true; bucketRegion?: string } | { passed: false; failure: StageFailure };

export const passed = (facts: { bucketRegion?: string } = {}): CheckOutcome => ({ passed: true, ...facts });

export const failed = (failure: StageFailure): CheckOutcome => ({ passed: false, failure });
