/**
 * The S3 part of the local AWS endpoint: path-style requests (`/<bucket>/<key>`) whose SigV4
 * signature the server already verified, answered from files under `<dataDir>/s3`.
 */
import type { ServerResponse } from 'node:http';
import {
  AwsError,
  type Authorize,
  type KmsForS3,
  type NotificationTargets,
  type ServiceHandler,
  type SignedRequest,
} from '#endpoint/contract';
import {
  createBucket,
  deleteBucket,
  deleteBucketEncryption,
  getBucketEncryption,
  getBucketLocation,
  headBucket,
  listBuckets,
  putBucketEncryption,
} from '#endpoint/s3/buckets';
import type { S3Request } from '#endpoint/s3/context';
import { S3Error, invalidArgument, notImplemented } from '#endpoint/s3/errors';
import { listObjectVersions } from '#endpoint/s3/list-versions';
import { listObjectsV1, listObjectsV2 } from '#endpoint/s3/listing';
import { abortMultipartUpload, createMultipartUpload, uploadPart, uploadPartCopy } from '#endpoint/s3/multipart';
import { completeMultipartUpload, listMultipartUploads, listParts } from '#endpoint/s3/multipart-complete';
import { deleteObject, deleteObjects } from '#endpoint/s3/object-delete';
import { getObject } from '#endpoint/s3/object-read';
import { copyObject, putObject } from '#endpoint/s3/object-write';
import { sendS3Error } from '#endpoint/s3/responses';
import { NotificationOutbox } from '#endpoint/s3/notification-outbox';
import { getBucketNotificationConfiguration, putBucketNotificationConfiguration } from '#endpoint/s3/notifications';
import { S3Store } from '#endpoint/s3/store';
import { getBucketVersioning, putBucketVersioning } from '#endpoint/s3/versioning';

export interface S3ServiceDeps {
  dataDir: string;
  authorize: Authorize;
  kms: KmsForS3;
  notifications: NotificationTargets;
}

type Operation = (request: S3Request) => Promise<void>;

/** Subresources S3 has and this emulator does not model: answered 501 rather than misread. */
const UNMODELLED_SUBRESOURCES = [
  'acl',
  'policy',
  'policyStatus',
  'tagging',
  'cors',
  'lifecycle',
  'website',
  'logging',
  'replication',
  'requestPayment',
  'object-lock',
  'legal-hold',
  'retention',
  'ownershipControls',
  'publicAccessBlock',
  'accelerate',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
  'restore',
  'select',
  'attributes',
  'torrent',
  'session',
  'renameObject',
];

export function createS3Service(deps: S3ServiceDeps): ServiceHandler {
  const store = new S3Store(deps.dataDir, new NotificationOutbox(deps.notifications));
  return async (signed, response) => {
    // Errors of a body we stop reading early must not go unhandled; pipelines see them anyway.
    signed.body.on('error', () => undefined);
    const method = signed.raw.method ?? 'GET';
    try {
      await store.ready();
      const request = parseRequest(signed, response, store, deps);
      await route(request)(request);
    } catch (error) {
      // Drain first: the client may still be sending the body it expects us to read.
      discardUnreadBody(signed);
      answerError(response, error, method);
    } finally {
      discardUnreadBody(signed);
    }
  };
}

function parseRequest(signed: SignedRequest, response: ServerResponse, store: S3Store, deps: S3ServiceDeps): S3Request {
  // The raw request target, not the WHATWG-normalized URL: S3 keys may contain `..` or `//`.
  const target = signed.raw.url ?? '/';
  const path = target.startsWith('/') ? (target.split('?')[0] ?? '/') : signed.url.pathname;
  const slash = path.indexOf('/', 1);
  const bucketPart = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const keyPart = slash === -1 ? '' : path.slice(slash + 1);
  let bucketName: string;
  let key: string;
  try {
    bucketName = decodeURIComponent(bucketPart);
    key = decodeURIComponent(keyPart);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
  return {
    signed,
    response,
    store,
    authorize: deps.authorize,
    kms: deps.kms,
    notifications: deps.notifications,
    method: signed.raw.method ?? 'GET',
    headers: signed.raw.headers,
    query: signed.url.searchParams,
    bucketName,
    key,
  };
}

function route(request: S3Request): Operation {
  const { method, query, bucketName, key } = request;
  const unmodelled = UNMODELLED_SUBRESOURCES.find((name) => query.has(name));
  if (unmodelled) throw notImplemented(`?${unmodelled}`);
  const copySource = request.headers['x-amz-copy-source'] !== undefined;

  if (!bucketName) {
    if (method === 'GET') return listBuckets;
  } else if (!key) {
    if (method === 'PUT') {
      if (query.has('versioning')) return putBucketVersioning;
      if (query.has('notification')) return putBucketNotificationConfiguration;
      return query.has('encryption') ? putBucketEncryption : createBucket;
    }
    if (method === 'HEAD') return headBucket;
    if (method === 'DELETE') return query.has('encryption') ? deleteBucketEncryption : deleteBucket;
    if (method === 'POST' && query.has('delete')) return deleteObjects;
    if (method === 'GET') {
      if (query.has('location')) return getBucketLocation;
      if (query.has('encryption')) return getBucketEncryption;
      if (query.has('versioning')) return getBucketVersioning;
      if (query.has('notification')) return getBucketNotificationConfiguration;
      if (query.has('versions')) return listObjectVersions;
      if (query.has('uploads')) return listMultipartUploads;
      const listType = query.get('list-type');
      if (listType === '2') return listObjectsV2;
      if (listType !== null) throw invalidArgument('Invalid List Type specified in Request', 'list-type', listType);
      return listObjectsV1;
    }
  } else {
    if (method === 'PUT') {
      if (query.has('uploadId') || query.has('partNumber')) return copySource ? uploadPartCopy : uploadPart;
      return copySource ? copyObject : putObject;
    }
    if (method === 'GET') return query.has('uploadId') ? listParts : getObject;
    if (method === 'HEAD') return getObject;
    if (method === 'DELETE') return query.has('uploadId') ? abortMultipartUpload : deleteObject;
    if (method === 'POST' && query.has('uploads')) return createMultipartUpload;
    if (method === 'POST' && query.has('uploadId')) return completeMultipartUpload;
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
    Method: method,
  });
}

function answerError(response: ServerResponse, error: unknown, method: string): void {
  if (response.headersSent || response.destroyed || response.socket?.destroyed === true) {
    // Mid-download, or the client hung up mid-upload: nobody is left to read an answer.
    response.destroy();
    return;
  }
  if (error instanceof AwsError) {
    sendS3Error(response, error, method);
    return;
  }
  console.error('S3 emulator: unexpected error', error instanceof Error ? error.stack : String(error));
  sendS3Error(
    response,
    new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500),
    method,
  );
}

/** A request refused before its body was read: discard the rest so the connection stays usable. */
function discardUnreadBody(signed: SignedRequest): void {
  if (signed.raw.readableEnded || signed.raw.destroyed) return;
  signed.raw.unpipe();
  signed.raw.resume();
}
