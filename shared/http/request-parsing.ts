/**
 * Reading a request: a JSON body checked for media type and size, then parsed with the route's zod
 * schema; a refusal says which field is wrong and what a valid value looks like.
 */
import type { z } from 'zod';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, type ErrorDetail } from '#shared/errors';
import { fieldIssueText, fieldsOf, validValueOf } from '#shared/http/field-issues';

/** Integration requests are a few hundred bytes; anything near this is not one of ours. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * One detail per field that is wrong: which field, what is wrong with it, and what a valid value
 * looks like (the field's description, which the OpenAPI document shows too). Unknown fields are
 * named one by one, with the fields the request does take.
 */
export function detailsOf(error: z.ZodError, schema: z.ZodType, whole?: string): ErrorDetail[] {
  return error.issues.flatMap((issue): ErrorDetail[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsOf(schema, issue.path);
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join('.'),
        issue: 'is not a field of this request',
        expected: known.length > 0 ? `only ${known.join(', ')}` : 'no fields',
      }));
    }
    // An issue with the input as a whole (an array where an object belongs) names the input itself.
    const field = issue.path.join('.') || whole;
    const expected = validValueOf(schema, issue.path);
    return [{ field, issue: issue.message, ...(expected ? { expected } : {}) }];
  });
}

/** "name must be at most 64 characters long; expected 1 to 64 printable characters, e.g. ..." */
const sentenceOf = (detail: ErrorDetail | undefined) => {
  if (!detail) return 'check it';
  const what = detail.field ? `${detail.field} ${detail.issue}` : detail.issue;
  return detail.expected ? `${what}; expected ${detail.expected}` : what;
};

/** What an issue with a whole input names as its field. */
const WHOLE_INPUT_FIELD = { path: 'path', 'query string': 'query', 'request body': 'body' } as const;

export function parseWith<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: keyof typeof WHOLE_INPUT_FIELD,
): z.infer<T> {
  const parsed = schema.safeParse(input, { error: fieldIssueText() });
  if (!parsed.success) {
    const details = detailsOf(parsed.error, schema, WHOLE_INPUT_FIELD[what]);
    throw new BadRequestError(`The ${what} is not valid: ${sentenceOf(details[0])}.`, details);
  }
  return parsed.data;
}

/** Reads a JSON body: checks the media type and size before parsing, so nothing odd reaches zod. */
export function jsonBodyOf(event: APIGatewayProxyEventV2): unknown {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType.trim())) {
    throw new UnsupportedMediaTypeError();
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (raw.trim() === '') throw invalidJson('is empty');
  try {
    return JSON.parse(raw);
  } catch (error) {
    // Where the parser stopped, never what it read: the body is not echoed into errors (or logs).
    const position = /\bposition (\d+)/.exec((error as Error).message)?.[1];
    throw invalidJson(position === undefined ? 'is not valid JSON' : `is not valid JSON (stopped at byte ${position})`);
  }
}

function invalidJson(issue: string): BadRequestError {
  const detail: ErrorDetail = {
    field: 'body',
    issue,
    expected: 'one JSON object with the fields this request takes (Content-Type: application/json)',
  };
  return new BadRequestError(`The request body is not valid: ${sentenceOf(detail)}.`, [detail], 'INVALID_JSON');
}
