/**
 * Fault injection for reliability tests (contract.ts FaultSettings): latency on every matching
 * request, and a failure on a fraction of them (S3 `SlowDown` 503 or the protocol's throttling
 * error, an `InternalError` 500, or a dropped connection), optionally capped by `maxFaults` so a
 * test can assert "fails N times, then succeeds on retry", and spread at random or evenly (the
 * first matching request, then one in every 1/errorRate). With `timing: "after"` the request is
 * carried out first and only its answer suffers (fault-timing.ts): the write happened, the client
 * never heard so. Switched at run time through `PUT /_local/faults` or the `faults` handle that
 * startAwsEndpoint returns.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError, type FaultSettings } from '#endpoint/contract';

export type FaultMode = FaultSettings['mode'];

/** What a request is, in the terms FaultSettings filters on. */
export interface FaultTarget {
  service: string;
  action: string; // e.g. 's3:PutObject', 'sts:AssumeRole'
  /** The API operation, where it differs from the action (S3: `UploadPart` is `s3:PutObject`). */
  operation?: string;
  bucket?: string;
}

/** What happens to one request: a delay, and maybe a failure, before it is served or after. */
export interface FaultDecision {
  timing: NonNullable<FaultSettings['timing']>;
  latencyMs: number;
  mode?: FaultMode;
}

const MODES: FaultMode[] = ['slowdown', 'internal-error', 'drop-connection'];
const TIMINGS = ['before', 'after'];
const SPREADS = ['random', 'even'];
const MAX_LATENCY_MS = 60_000;

const DEFAULTS: FaultSettings = {
  errorRate: 0,
  mode: 'internal-error',
  latencyMs: 0,
  services: [],
  buckets: [],
  actions: [],
  operations: [],
  timing: 'before',
  spread: 'random',
};

export interface FaultInjector {
  set(settings: Partial<FaultSettings>): void;
  clear(): void;
  current(): (FaultSettings & { faultsInjected: number }) | undefined;
  /** What this request suffers (undefined: nothing); a failure it is given counts against maxFaults. */
  decide(target: FaultTarget): FaultDecision | undefined;
}

export function createFaultInjector(random: () => number = Math.random): FaultInjector {
  let settings: FaultSettings | undefined;
  let injected = 0;
  let matched = 0;

  const matches = (target: FaultTarget, active: FaultSettings) =>
    (active.services.length === 0 || active.services.includes(target.service)) &&
    (active.buckets.length === 0 || (target.bucket !== undefined && active.buckets.includes(target.bucket))) &&
    (active.actions.length === 0 ||
      active.actions.some((action) => action.toLowerCase() === target.action.toLowerCase())) &&
    (active.operations.length === 0 ||
      (target.operation !== undefined && active.operations.includes(target.operation)));

  return {
    set(partial) {
      settings = validated({ ...DEFAULTS, ...settings, ...partial });
      injected = 0;
      matched = 0;
    },
    clear() {
      settings = undefined;
      injected = 0;
      matched = 0;
    },
    current: () => (settings ? { ...settings, faultsInjected: injected } : undefined),
    decide(target) {
      const active = settings;
      if (!active || !matches(target, active)) return undefined;
      const decision: FaultDecision = { timing: active.timing ?? 'before', latencyMs: active.latencyMs };
      matched += 1;
      if (active.maxFaults !== undefined && injected >= active.maxFaults) return decision;
      if (!fails(active, matched, injected, random)) return decision;
      injected += 1;
      return { ...decision, mode: active.mode };
    },
  };
}

/** Whether the matched-th matching request fails, `injected` having failed so far. */
function fails(active: FaultSettings, matched: number, injected: number, random: () => number): boolean {
  if (active.errorRate <= 0) return false;
  if (active.spread !== 'even') return random() < active.errorRate;
  // Faults due after `matched` requests, rounded up so that the first one fails (less 1e-9: 0.07 * 100
  // is 7.000000000000001 in floating point, and would fail the 100th, a request early).
  return injected < Math.ceil(matched * active.errorRate - 1e-9);
}

/** The error a failing request answers, in its service's terms (not for drop-connection). */
export function faultError(mode: Exclude<FaultMode, 'drop-connection'>, service: string): AwsError {
  const json = !['s3', 'sts', 'iam'].includes(service);
  if (mode === 'slowdown') {
    if (service === 's3') return new AwsError('SlowDown', 'Please reduce your request rate.', 503);
    return json
      ? new AwsError('ThrottlingException', 'Rate exceeded', 400)
      : new AwsError('Throttling', 'Rate exceeded', 400);
  }
  return json
    ? new AwsError('InternalFailure', 'The request processing has failed because of an unknown error.', 500)
    : new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500);
}

function validated(settings: FaultSettings): FaultSettings {
  const invalid = (field: string) => new AwsError('InvalidArgument', `Fault setting ${field} is invalid.`, 400);
  const stringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (typeof settings.errorRate !== 'number' || !(settings.errorRate >= 0 && settings.errorRate <= 1))
    throw invalid('errorRate (0..1)');
  if (!MODES.includes(settings.mode)) throw invalid(`mode (${MODES.join(', ')})`);
  if (typeof settings.latencyMs !== 'number' || !(settings.latencyMs >= 0 && settings.latencyMs <= MAX_LATENCY_MS)) {
    throw invalid(`latencyMs (0..${MAX_LATENCY_MS})`);
  }
  if (!stringList(settings.services)) throw invalid('services');
  if (!stringList(settings.buckets)) throw invalid('buckets');
  if (!stringList(settings.actions)) throw invalid('actions');
  if (!stringList(settings.operations)) throw invalid('operations');
  if (!TIMINGS.includes(String(settings.timing))) throw invalid(`timing (${TIMINGS.join(', ')})`);
  if (!SPREADS.includes(String(settings.spread))) throw invalid(`spread (${SPREADS.join(', ')})`);
  if (settings.maxFaults !== undefined && !(Number.isInteger(settings.maxFaults) && settings.maxFaults >= 0))
    throw invalid('maxFaults');
  const { errorRate, mode, latencyMs, services, buckets, actions, operations, timing, spread, maxFaults } = settings;
  return {
    errorRate,
    mode,
    latencyMs,
    services,
    buckets,
    actions,
    operations,
    timing,
    spread,
    ...(maxFaults !== undefined ? { maxFaults } : {}),
  };
}

/**
 * What an S3 request is: its API operation (`UploadPart`, `CompleteMultipartUpload`, ...), the IAM
 * action AWS evaluates for it (`s3:PutObject` covers PutObject, parts and completion) and its
 * bucket, derived from method, path and sub-resource. Faults can be aimed at either name, and the
 * request counts (request-counts.ts) are kept per operation. Covers the operations this product
 * uses; anything else is named by its HTTP method.
 */
export function s3RequestOf(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders = {},
): { operation: string; action: string; bucket?: string } {
  const [, bucket = '', ...keyParts] = url.pathname.split('/');
  const hasKey = keyParts.join('/') !== '';
  const query = url.searchParams;
  if (bucket === '') return { operation: 'ListBuckets', action: 's3:ListAllMyBuckets' };
  const [operation, action] = ((): [string, string] => {
    if (!hasKey) {
      if (query.has('location')) return ['GetBucketLocation', 'GetBucketLocation'];
      if (query.has('encryption'))
        return method === 'GET'
          ? ['GetBucketEncryption', 'GetEncryptionConfiguration']
          : [`${method === 'DELETE' ? 'Delete' : 'Put'}BucketEncryption`, 'PutEncryptionConfiguration'];
      if (query.has('uploads')) return ['ListMultipartUploads', 'ListBucketMultipartUploads'];
      if (query.has('versioning'))
        return method === 'GET'
          ? ['GetBucketVersioning', 'GetBucketVersioning']
          : ['PutBucketVersioning', 'PutBucketVersioning'];
      if (query.has('versions')) return ['ListObjectVersions', 'ListBucketVersions'];
      if (query.has('notification')) {
        return method === 'GET'
          ? ['GetBucketNotificationConfiguration', 'GetBucketNotification']
          : ['PutBucketNotificationConfiguration', 'PutBucketNotification'];
      }
      if (query.has('delete')) return ['DeleteObjects', 'DeleteObject'];
      if (method === 'PUT') return ['CreateBucket', 'CreateBucket'];
      if (method === 'DELETE') return ['DeleteBucket', 'DeleteBucket'];
      if (method === 'HEAD') return ['HeadBucket', 'ListBucket'];
      return [query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', 'ListBucket'];
    }
    const copy = headers['x-amz-copy-source'] !== undefined;
    if (query.has('uploadId')) {
      if (method === 'GET') return ['ListParts', 'ListMultipartUploadParts'];
      if (method === 'DELETE') return ['AbortMultipartUpload', 'AbortMultipartUpload'];
      if (method === 'POST') return ['CompleteMultipartUpload', 'PutObject'];
      return [copy ? 'UploadPartCopy' : 'UploadPart', 'PutObject'];
    }
    if (method === 'POST' && query.has('uploads')) return ['CreateMultipartUpload', 'PutObject'];
    if (method === 'GET') return ['GetObject', 'GetObject'];
    if (method === 'HEAD') return ['HeadObject', 'GetObject'];
    if (method === 'DELETE') return ['DeleteObject', 'DeleteObject'];
    return [copy ? 'CopyObject' : 'PutObject', 'PutObject'];
  })();
  return { operation, action: `s3:${action}`, bucket };
}
