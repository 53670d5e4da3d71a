/**
 * Fault injection for reliability tests (contract.ts FaultSettings): latency on every matching
 * request, and a failure on a fraction of them (S3 `SlowDown` 503 or the protocol's throttling
 * error, an `InternalError` 500, or a dropped connection), optionally capped by `maxFaults` so a
 * test can assert "fails N times, then succeeds on retry". Switched at run time through
 * `PUT /_local/faults` or the `faults` handle that startAwsEndpoint returns.
 */
import { AwsError, type FaultSettings } from '#endpoint/contract';

export type FaultMode = FaultSettings['mode'];

/** What a request is, in the terms FaultSettings filters on. */
export interface FaultTarget {
  service: string;
  action: string; // e.g. 's3:PutObject', 'sts:AssumeRole'
  bucket?: string;
}

const MODES: FaultMode[] = ['slowdown', 'internal-error', 'drop-connection'];
const MAX_LATENCY_MS = 60_000;

const DEFAULTS: FaultSettings = {
  errorRate: 0,
  mode: 'internal-error',
  latencyMs: 0,
  services: [],
  buckets: [],
  actions: [],
};

export interface FaultInjector {
  set(settings: Partial<FaultSettings>): void;
  clear(): void;
  current(): (FaultSettings & { faultsInjected: number }) | undefined;
  /** Waits out the configured latency; returns the failure this request must suffer, if any. */
  apply(target: FaultTarget): Promise<FaultMode | undefined>;
}

export function createFaultInjector(random: () => number = Math.random): FaultInjector {
  let settings: FaultSettings | undefined;
  let injected = 0;

  const matches = (target: FaultTarget, active: FaultSettings) =>
    (active.services.length === 0 || active.services.includes(target.service)) &&
    (active.buckets.length === 0 || (target.bucket !== undefined && active.buckets.includes(target.bucket))) &&
    (active.actions.length === 0 ||
      active.actions.some((action) => action.toLowerCase() === target.action.toLowerCase()));

  return {
    set(partial) {
      settings = validated({ ...DEFAULTS, ...settings, ...partial });
      injected = 0;
    },
    clear() {
      settings = undefined;
      injected = 0;
    },
    current: () => (settings ? { ...settings, faultsInjected: injected } : undefined),
    async apply(target) {
      const active = settings;
      if (!active || !matches(target, active)) return undefined;
      if (active.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, active.latencyMs));
      if (active.maxFaults !== undefined && injected >= active.maxFaults) return undefined;
      if (active.errorRate <= 0 || random() >= active.errorRate) return undefined;
      injected += 1;
      return active.mode;
    },
  };
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
  if (settings.maxFaults !== undefined && !(Number.isInteger(settings.maxFaults) && settings.maxFaults >= 0))
    throw invalid('maxFaults');
  const { errorRate, mode, latencyMs, services, buckets, actions, maxFaults } = settings;
  return { errorRate, mode, latencyMs, services, buckets, actions, ...(maxFaults !== undefined ? { maxFaults } : {}) };
}

/**
 * The IAM action an S3 request needs, derived from method, path and sub-resource, so faults can
 * be aimed at e.g. `s3:PutObject`. Covers the operations this product uses; anything else is
 * named by its HTTP method.
 */
export function s3ActionOf(method: string, url: URL): { action: string; bucket?: string } {
  const [, bucket = '', ...keyParts] = url.pathname.split('/');
  const hasKey = keyParts.join('/') !== '';
  const query = url.searchParams;
  if (bucket === '') return { action: 's3:ListAllMyBuckets' };
  const action = (() => {
    if (!hasKey) {
      if (query.has('location')) return 'GetBucketLocation';
      if (query.has('encryption'))
        return method === 'GET' ? 'GetEncryptionConfiguration' : 'PutEncryptionConfiguration';
      if (query.has('uploads')) return 'ListBucketMultipartUploads';
      if (query.has('versioning')) return method === 'GET' ? 'GetBucketVersioning' : 'PutBucketVersioning';
      if (query.has('versions')) return 'ListBucketVersions';
      if (query.has('notification')) return method === 'GET' ? 'GetBucketNotification' : 'PutBucketNotification';
      if (query.has('delete')) return 'DeleteObject';
      if (method === 'PUT') return 'CreateBucket';
      if (method === 'DELETE') return 'DeleteBucket';
      return 'ListBucket';
    }
    if (query.has('uploadId') && method === 'GET') return 'ListMultipartUploadParts';
    if (query.has('uploadId') && method === 'DELETE') return 'AbortMultipartUpload';
    if (method === 'GET' || method === 'HEAD') return 'GetObject';
    if (method === 'DELETE') return 'DeleteObject';
    return 'PutObject';
  })();
  return { action: `s3:${action}`, bucket };
}
