import type { z } from 'zod';

/**
 * Checks a state machine task's input. Only the state machine invokes these functions, so a
 * mismatch is a bug in the definition: the error names the fields, never their values.
 */
export function parseTaskInput<T extends z.ZodType>(schema: T, event: unknown): z.infer<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(input)').join(', ');
    throw new Error(`Malformed validation task input: check ${fields}`);
  }
  return parsed.data;
}
