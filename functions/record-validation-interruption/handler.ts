import { z } from 'zod';
import { runTaskInput } from '#shared/validation/run-input';
import { recordValidationInterruption } from '#shared/validation/record-interruption';
import { parseTaskInput } from '#shared/validation/task-input';

/** The Parameters of the state machine's RecordInterruption Task (the Catch of every stage). */
const interruptionInput = runTaskInput({ error: z.string().max(256) });

/**
 * Ends a validation run whose stage could not finish (retries exhausted, timeout, unexpected
 * error) with VALIDATION_INTERRUPTED, so no report stays RUNNING.
 */
export const handler = async (event: unknown): Promise<{ outcome: 'RECORDED' | 'STOPPED' }> => {
  const { error, ...ref } = parseTaskInput(interruptionInput, event);
  return { outcome: await recordValidationInterruption(ref, error) };
};
