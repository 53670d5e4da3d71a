import * as z from 'zod';
import { validationStage } from '#shared/integrations/schemas';
import { runTaskInput } from '#shared/validation/run-input';

/** The Parameters each stage Task of state-machines/validate-integration.asl.yml passes. */
export const stageInput = runTaskInput({
  stage: validationStage.shape.name,
  bucketRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name').optional(),
});
