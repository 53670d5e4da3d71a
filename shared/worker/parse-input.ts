/**
 * Checks what a worker was handed (a queue message, an event's detail, a task's input) before any
 * use case sees it. A mismatch throws an error that names the fields and never their values, so
 * the log line and the dead-letter queue's reason carry no customer data; the trigger retries it
 * and finally keeps it for an operator (SQS: the dead-letter queue; EventBridge: its retries and
 * the async dead-letter queue; Step Functions: the state machine's Catch).
 */
import type * as z from 'zod';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(input)').join(', ');
    throw new Error(`Malformed ${what}: check ${fields}`);
  }
  return parsed.data;
}

/** JSON text (a queue message's body) checked against `schema`; JSON's own error would quote the text. */
export function parseJsonInput<T extends z.ZodType>(schema: T, text: string, what: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Malformed ${what}: not JSON`);
  }
  return parseInput(schema, value, what);
}
