/**
 * API failures in words a customer understands. The API's own messages are sentences already, but
 * they speak to API users ("PUT .../role"); the codes a console user can meet get the console's
 * wording here, and anything unknown falls back to the API's sentence without its API hints. The
 * messages the API stores on resources (a job's error, forwarding health, a validation stage) go
 * through withoutApiHints too. Raw JSON is never shown.
 */

/** The console's sentence for each code a console user can meet; other codes keep the API's message. */
const SENTENCES: Record<string, string> = {
  UNAUTHORIZED: 'Your session has ended. Sign in again to continue.',
  FORBIDDEN:
    'Your role in this project can view integrations but not change them. Ask the organization owner or a ' +
    'project admin.',
  FEATURE_NOT_AVAILABLE:
    'This is not available here: S3 integrations need a project on the Enterprise plan, and exports and ' +
    'audit-log forwarding need a dedicated cluster.',
  NOT_FOUND: 'This project does not exist, or your account has no access to it.',
  INTEGRATION_NOT_FOUND: 'This integration no longer exists. It may have been deleted.',
  NAME_TAKEN: 'Another integration in this project already has this name. Choose a different name.',
  INTEGRATION_IN_USE:
    'This integration is in use: an export is running through it, or audit-log forwarding of a cluster sends ' +
    'logs to it. Wait for the export to finish, or turn forwarding off or move it to another integration, ' +
    'then delete it.',
  INTEGRATION_NOT_ACTIVE:
    'This integration is not ready: it must pass validation first. Open it and validate it again.',
  VALIDATION_IN_PROGRESS:
    'A validation of this integration is already running. Its result appears here in a few seconds.',
  ROLE_NOT_SET: 'Paste the role ARN first; validation starts when you save it.',
  REGION_MISMATCH:
    "The integration's bucket is in another region than the cluster. Choose an integration in the cluster's region.",
  BACKUP_NOT_AVAILABLE:
    'This backup cannot be exported: it is not available (it may still be running, or have expired).',
  BACKUP_NOT_FOUND: 'This backup does not exist (any more).',
  CONCURRENT_UPDATE: 'Someone changed this at the same moment. The page shows the current state now; try again.',
  TOO_MANY_REQUESTS: 'Too many attempts in a short time.',
  INVALID_NEXT_TOKEN: 'The list changed while you paged through it. Start again from the first page.',
};

export interface FieldIssue {
  field?: string;
  issue: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fieldIssues: FieldIssue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static unreachable(cause: unknown): ApiError {
    const detail = cause instanceof Error && cause.name === 'AbortError' ? ' (the request was cancelled)' : '';
    return new ApiError(
      `The service could not be reached${detail}. Check your connection and try again.`,
      0,
      'UNREACHABLE',
    );
  }

  static fromResponse(response: Response, body: unknown): ApiError {
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : codeOfStatus(response.status);
    const apiMessage = typeof error?.message === 'string' ? withoutApiHints(error.message) : undefined;
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    let message = SENTENCES[code] ?? apiMessage ?? fallbackFor(response.status);
    if (code === 'TOO_MANY_REQUESTS' || response.status === 429) {
      message = `${SENTENCES.TOO_MANY_REQUESTS} ${
        Number.isFinite(retryAfter) ? `Try again in ${retryAfter} seconds.` : 'Try again in a minute.'
      }`;
    }
    const details = Array.isArray(error?.details)
      ? (error.details as FieldIssue[]).filter((detail) => typeof detail?.issue === 'string')
      : [];
    return new ApiError(message, response.status, code, details, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
}

function codeOfStatus(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  return `HTTP_${status}`;
}

function fallbackFor(status: number): string {
  if (status >= 500)
    return 'The service had a problem and did not finish this. Nothing was changed; try again in a moment.';
  return 'The service refused this request. Check what you entered and try again.';
}

/** "Set the role first (PUT .../role); that starts validation." -> "Set the role first; that starts validation." */
export function withoutApiHints(message: string): string {
  return message.replace(/\s*\((?:GET|PUT|POST|PATCH|DELETE) [^)]*\)/g, '').replace(/\s+([.,;])/g, '$1');
}

/** The sentence to show for anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong in this page. Reload it and try again.';
}
