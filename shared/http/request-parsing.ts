/**
 * Reading a request's parts: the JSON body, its media type and size checked before parsing, and path,
 * query and body validated with zod, so bad input becomes a 400 whose details name the fields.
 */
import type { z } from 'zod';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, type ErrorDetail } from '#shared/errors';

/** Integration requests are a few hundred bytes; anything near this is not one of ours. */
export const MAX_BODY_BYTES = 16 * 1024;

export function detailsOf(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: issue.path.join('.') || undefined,
    issue: issue.message,
  }));
}

export function parseWith<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new BadRequestError(
      `The ${what} is not valid: ${parsed.error.issues[0]?.message ?? 'check it'}.`,
      detailsOf(parsed.error),
    );
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
  if (raw.trim() === '')
    throw new BadRequestError('The request body is empty: send a JSON object.', [], 'INVALID_JSON');
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequestError('The request body is not valid JSON.', [], 'INVALID_JSON');
  }
}
