/**
 * The one place errors become HTTP answers. AppErrors are the caller's to see; anything else is
 * logged with its stack and answered as a bare 500 that reveals nothing about the internals.
 */
import { AppError, TooManyRequestsError } from '#shared/errors';
import { logger } from '#shared/logger';
import { json, type ApiResult } from '#shared/http/responses';

export function errorResponse(error: unknown): ApiResult {
  if (error instanceof AppError) {
    if (error.statusCode >= 500) logger.error('request failed', { code: error.code, error });
    const answer = json(error.statusCode, {
      error: { code: error.code, message: error.message, details: error.details },
    });
    return error instanceof TooManyRequestsError
      ? { ...answer, headers: { ...answer.headers, 'retry-after': String(error.retryAfterSeconds) } }
      : answer;
  }
  logger.error('unexpected error', { error: error as Error });
  return json(500, {
    error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side. Try again later.', details: [] },
  });
}
