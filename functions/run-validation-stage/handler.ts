/**
 * One stage of the validation state machine (state-machines/validate-integration.asl.yml): the
 * Task states of all six stages call this function with their stage name. It returns the outcome
 * for the next Choice; transient AWS trouble is thrown as TransientStageError for the Retry.
 */
import { runValidationStage } from '#shared/validation/use-cases';
import { taskHandler } from '#shared/worker/worker-handlers';
import { stageInput } from '#functions/run-validation-stage/input';

export const handler = taskHandler({ input: stageInput, name: 'validation task' }, runValidationStage);
