/**
 * What a validation execution carries from state to state: ids and the run's mode, never
 * credentials, documents or the external ID. Every task reads the integration itself.
 *
 * - `validate`: started by PUT .../role or POST .../validate; the integration is VALIDATING and
 *   ends ACTIVE or FAILED.
 * - `recheck`: the daily re-validation of an ACTIVE integration; it stays ACTIVE (exports keep
 *   working) unless a stage fails, which makes it FAILED with the reason.
 */
import * as z from 'zod';
import { integrationId, validationStage } from '#shared/integrations/schemas';
import { projectId } from '#shared/projects/schemas';

export const runMode = z.enum(['validate', 'recheck']);

/** A run that has not finished after this long is presumed dead and may be replaced. */
export const VALIDATION_STALE_AFTER_MS = 15 * 60 * 1000;

const runRefFields = {
  projectId,
  integrationId,
  runId: z.string().regex(/^integ-[a-z0-9]{20}-[\w-]{1,50}$/, 'must be a validation run id'),
  mode: runMode,
};

/** A run id starts with its integration's id: a task can never be pointed at another integration's run. */
const runIdBelongsToIntegration = (ref: unknown) => {
  const { runId, integrationId: id } = ref as { runId: string; integrationId: string };
  return runId.startsWith(`${id}-`);
};

/** A run reference plus a task's own fields, checked strictly (no unknown keys). */
export function runTaskInput<Extra extends z.ZodRawShape>(extra: Extra) {
  return z
    .strictObject({ ...runRefFields, ...extra })
    .refine(runIdBelongsToIntegration, { message: 'the run id must belong to the integration', path: ['runId'] });
}

export const runRef = runTaskInput({});

/** A stage's name, as each stage's Task state passes it. */
export const stageName = validationStage.shape.name;

export type RunMode = z.infer<typeof runMode>;
export type RunRef = z.infer<typeof runRef>;

/** The status the integration holds while a run of this mode owns it. */
export const statusDuring = (mode: RunMode) => (mode === 'validate' ? 'VALIDATING' : 'ACTIVE');
