/**
 * Every error a caller can cause is an AppError with a stable `code`. The HTTP error mapper
 * (shared/http/error-mapper.ts) is the only place that turns them into responses; anything
 * that is not an AppError becomes a 500 that reveals nothing.
 */

/** One thing wrong with a request, as the error answer's `details` list it. */
export interface ErrorDetail {
  /** The field of the request that is wrong (`name`, `limit`, `projectId`, ...). */
  field?: string;
  /** What is wrong with it. */
  issue: string;
  /** What a valid value looks like. */
  expected?: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details: ErrorDetail[] = [], code = 'INVALID_REQUEST') {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Send a valid bearer token in the Authorization header.') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = 'FORBIDDEN') {
    super(403, code, message);
  }
}

export class FeatureNotAvailableError extends ForbiddenError {
  constructor(message: string) {
    super(message, 'FEATURE_NOT_AVAILABLE');
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class UnprocessableError extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}

/** 429: a per-project or per-integration rate was exceeded; the answer carries Retry-After. */
export class TooManyRequestsError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'Send the body as application/json.') {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`);
  }
}
