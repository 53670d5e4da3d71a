/** The Parameters each stage Task of state-machines/validate-integration.asl.yml passes. */
import * as z from 'zod';
import { runTaskInput, stageName } from '#shared/validation/use-cases';

export const stageInput = runTaskInput({
  stage: stageName,
  bucketRegion: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name')
    .optional(),
});
