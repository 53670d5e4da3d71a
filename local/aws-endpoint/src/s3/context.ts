/**
 * The request an S3 operation handler works on (S3Request, built once by the router) and the
 * helpers every handler uses with it: header values and bucket and object ARNs.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Authorize, KmsForS3, NotificationTargets, SignedRequest } from '#endpoint/contract';
import type { S3Store } from '#endpoint/s3/store';

/** Everything one S3 request handler needs, parsed once by the router. */
export interface S3Request {
  signed: SignedRequest;
  response: ServerResponse;
  store: S3Store;
  authorize: Authorize;
  kms: KmsForS3;
  /** Where notifications go: checked when a configuration names a queue, sent test events. */
  notifications: NotificationTargets;
  method: string;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  /** Empty for service-level requests (ListBuckets). */
  bucketName: string;
  /** Empty for bucket-level requests. URL-decoded, slashes kept. */
  key: string;
}

export function header(request: Pick<S3Request, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
