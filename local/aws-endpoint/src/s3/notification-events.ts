/**
 * One S3 event and the shapes S3 sends it in. An event is decided inside the commit of the write
 * that caused it (against the bucket's configuration at that moment) and written with it, in the
 * same journal line, so a committed write is never without its pending notification.
 *
 * Shapes, as the S3 User Guide documents them: "EventBridge event message structure" (source
 * `aws.s3`, detail-type `Object Created` / `Object Deleted`) and "Event message structure" (the
 * `Records[]` message, eventVersion 2.1, sent to queues).
 */
import { randomUUID } from 'node:crypto';
import type { Caller, ServiceEvent } from '#endpoint/contract';
import { matchingRules } from '#endpoint/s3/notification-config';
import { isDeleteMarker, type BucketRecord, type ObjectVersion } from '#endpoint/s3/model';

export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

/** What the request handler knows about the request that caused an event. */
export interface RequestOrigin {
  requestId: string;
  caller: Caller;
  sourceIp: string;
}

export interface EventCause {
  name: S3EventName;
  origin: RequestOrigin;
}

export type Destination = { kind: 'eventbridge' } | { kind: 'queue'; arn: string; configurationId: string };

export interface PendingEvent {
  /** Also the EventBridge event id: redeliveries keep it. */
  id: string;
  name: S3EventName;
  time: string;
  bucket: string;
  bucketOwner: string;
  region: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer: string;
  requestId: string;
  requester: string;
  principalId: string;
  sourceIp: string;
  destinations: Destination[];
}

/** The EventBridge `reason` of each event type. */
const REASONS: Record<S3EventName, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'DeleteObject',
  'ObjectRemoved:DeleteMarkerCreated': 'DeleteObject',
};

/**
 * The event `cause` raises for `version` under the bucket's notification configuration at this
 * moment, or undefined when the configuration sends it nowhere. EventBridge, once enabled, gets
 * every event; queues get the events their rules match.
 */
export function pendingEvent(
  record: BucketRecord,
  cause: EventCause,
  version: ObjectVersion,
): PendingEvent | undefined {
  const configuration = record.notification;
  if (!configuration) return undefined;
  const destinations: Destination[] = matchingRules(configuration, cause.name, version.key)
    .filter((rule) => rule.kind === 'queue')
    .map((rule) => ({ kind: 'queue', arn: rule.arn, configurationId: rule.id }));
  if (configuration.eventBridge) destinations.unshift({ kind: 'eventbridge' });
  if (destinations.length === 0) return undefined;
  const created = cause.name.startsWith('ObjectCreated:') && !isDeleteMarker(version);
  const { origin } = cause;
  return {
    id: randomUUID(),
    name: cause.name,
    time: new Date().toISOString(),
    bucket: record.name,
    bucketOwner: record.ownerAccountId,
    region: record.region,
    key: version.key,
    ...(created ? { size: version.size, etag: version.etag.replaceAll('"', '') } : {}),
    // Buckets with a versioning status name the version (`null` for the null version).
    ...(record.versioning ? { versionId: version.versionId ?? 'null' } : {}),
    sequencer: nextSequencer(),
    requestId: origin.requestId,
    requester: origin.caller.accountId,
    principalId: principalIdOf(origin.caller),
    sourceIp: origin.sourceIp,
    destinations,
  };
}

/**
 * Sequencers only ever grow in this process and across restarts (microseconds of wall time,
 * bumped past the last one), so a later event on a key always has the greater one, as S3 promises.
 */
let lastSequencer = 0;
function nextSequencer(): string {
  lastSequencer = Math.max(lastSequencer + 1, Date.now() * 1000);
  return lastSequencer.toString(16).toUpperCase().padStart(16, '0');
}

/** `AWS:<role name>:<session>` for sessions, the account id for root (AWS shows IAM unique ids). */
function principalIdOf(caller: Caller): string {
  const session = /:assumed-role\/(.+)$/.exec(caller.arn)?.[1];
  return session ? `AWS:${session.replace('/', ':')}` : caller.accountId;
}

export function eventBridgeEvent(event: PendingEvent): ServiceEvent {
  const created = event.name.startsWith('ObjectCreated:');
  return {
    version: '0',
    id: event.id,
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: event.bucketOwner,
    time: event.time.replace(/\.\d{3}Z$/, 'Z'),
    region: event.region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: event.key,
        ...(event.size === undefined ? {} : { size: event.size }),
        ...(event.etag === undefined ? {} : { etag: event.etag }),
        ...(event.versionId === undefined ? {} : { 'version-id': event.versionId }),
        sequencer: event.sequencer,
      },
      'request-id': event.requestId,
      requester: event.requester,
      'source-ip-address': event.sourceIp,
      reason: REASONS[event.name],
      ...(created
        ? {}
        : { 'deletion-type': event.name === 'ObjectRemoved:Delete' ? 'Permanently Deleted' : 'Delete Marker Created' }),
    },
  };
}

/** The message a queue receives: one record, the key URL-encoded as S3 does it. */
export function queueMessage(event: PendingEvent, configurationId: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: event.region,
        eventTime: event.time,
        eventName: event.name,
        userIdentity: { principalId: event.principalId },
        requestParameters: { sourceIPAddress: event.sourceIp },
        responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': hostId(event.requestId) },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: event.bucket,
            ownerIdentity: { principalId: event.bucketOwner },
            arn: `arn:aws:s3:::${event.bucket}`,
          },
          object: {
            key: encodeEventKey(event.key),
            ...(event.size === undefined ? {} : { size: event.size }),
            ...(event.etag === undefined ? {} : { eTag: event.etag }),
            ...(event.versionId === undefined ? {} : { versionId: event.versionId }),
            sequencer: event.sequencer,
          },
        },
      },
    ],
  });
}

/** What S3 sends to a queue when a configuration names it. */
export function testEventMessage(bucket: string, requestId: string): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: requestId,
    HostId: hostId(requestId),
  });
}

/**
 * Form encoding (`red flower.jpg` -> `red+flower.jpg`) with `/` kept, as keys appear in S3
 * events: readers decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

const hostId = (requestId: string) => Buffer.from(`local-s3/${requestId}`).toString('base64');
