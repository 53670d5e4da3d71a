import { interruptionInput } from '#functions/record-validation-interruption/input';
import { recordValidationInterruption } from '#shared/validation/record-interruption';
import { parseTaskInput } from '#shared/validation/task-input';

/**
 * Ends a validation run whose stage could not finish (retries exhausted, timeout, unexpected
 * error) with VALIDATION_INTERRUPTED, so no report stays RUNNING.
 */
export const handler = async (event: unknown): Promise<{ outcome: 'RECORDED' | 'STOPPED' }> => {
  const { error, ...ref } = parseTaskInput(interruptionInput, event);
  return { outcome: await recordValidationInterruption(ref, error) };
};
