/**
 * Ends a validation run whose stage could not finish (retries exhausted, timeout, unexpected
 * error) with VALIDATION_INTERRUPTED, so no report stays RUNNING.
 */
import { recordValidationInterruption } from '#shared/validation/use-cases';
import { taskHandler } from '#shared/worker/worker-handlers';
import { interruptionInput } from '#functions/record-validation-interruption/input';

export const handler = taskHandler(
  { input: interruptionInput, name: 'validation task' },
  async ({ error, ...ref }) => ({
    outcome: await recordValidationInterruption(ref, error),
  }),
);
