/**
 * Authentication failures and the error each service answers for them. AWS names the same
 * failure differently per protocol (an unknown key is InvalidAccessKeyId in S3,
 * InvalidClientTokenId in STS/IAM and UnrecognizedClientException in the JSON services), and
 * the SDKs key their behaviour (clock-skew correction, credential refresh) on those names.
 */
import { AwsError } from '#endpoint/contract';
import { SERVICE_PROTOCOLS } from '#endpoint/protocols';

export type AuthFailureKind =
  | 'missing'
  | 'malformed'
  | 'unknown-key'
  | 'invalid-token'
  | 'expired-token'
  | 'signature'
  | 'skew'
  | 'presign-expired'
  | 'unsigned-headers';

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

type Answer = [code: string, statusCode: number];

const S3: Record<AuthFailureKind, Answer> = {
  missing: ['AccessDenied', 403],
  malformed: ['AuthorizationHeaderMalformed', 400],
  'unknown-key': ['InvalidAccessKeyId', 403],
  'invalid-token': ['InvalidToken', 400],
  'expired-token': ['ExpiredToken', 400],
  signature: ['SignatureDoesNotMatch', 403],
  skew: ['RequestTimeTooSkewed', 403],
  'presign-expired': ['AccessDenied', 403],
  'unsigned-headers': ['AccessDenied', 403],
};

const QUERY: Record<AuthFailureKind, Answer> = {
  missing: ['MissingAuthenticationToken', 403],
  malformed: ['IncompleteSignature', 400],
  'unknown-key': ['InvalidClientTokenId', 403],
  'invalid-token': ['InvalidClientTokenId', 403],
  'expired-token': ['ExpiredToken', 400],
  signature: ['SignatureDoesNotMatch', 403],
  skew: ['RequestTimeTooSkewed', 403],
  'presign-expired': ['ExpiredToken', 400],
  'unsigned-headers': ['AccessDenied', 403],
};

const JSON_SERVICES: Record<AuthFailureKind, Answer> = {
  missing: ['MissingAuthenticationTokenException', 400],
  malformed: ['IncompleteSignatureException', 400],
  'unknown-key': ['UnrecognizedClientException', 400],
  'invalid-token': ['UnrecognizedClientException', 400],
  'expired-token': ['ExpiredTokenException', 400],
  signature: ['InvalidSignatureException', 400],
  skew: ['RequestTimeTooSkewed', 400],
  'presign-expired': ['ExpiredTokenException', 400],
  'unsigned-headers': ['AccessDeniedException', 400],
};

export function authError(failure: AuthFailure, service: string): AwsError {
  const protocol = SERVICE_PROTOCOLS[service] ?? 'rest-xml';
  const table = protocol === 'rest-xml' ? S3 : protocol === 'query' ? QUERY : JSON_SERVICES;
  const [code, statusCode] = table[failure.kind];
  return new AwsError(code, failure.message, statusCode);
}
