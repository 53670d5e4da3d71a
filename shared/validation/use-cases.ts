/**
 * What validation offers its handlers (functions/**), and all they may import from it (see
 * shared/integrations/use-cases.ts): the state machine's tasks with what their inputs are built
 * from, and the daily recheck. Starting a validation is an integration use case (setRole,
 * revalidate).
 */

export { recheckActiveIntegrations } from '#shared/validation/recheck';
export { recordValidationInterruption } from '#shared/validation/record-interruption';
export { runTaskInput, stageName } from '#shared/validation/run-input';
export { runValidationStage } from '#shared/validation/run-stage';
