/** The Parameters of the state machine's RecordInterruption Task (the Catch of every stage). */
import * as z from 'zod';
import { runTaskInput } from '#shared/validation/use-cases';

export const interruptionInput = runTaskInput({ error: z.string().max(256) });
