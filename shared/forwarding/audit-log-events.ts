/**
 * The S3 "Object Created" events of the platform's audit-log bucket, as EventBridge delivers them
 * (AuditLogEventsRule -> AuditLogEventQueue): the envelope of
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html, of which forwarding reads
 * the bucket, the key and the event's time (when the object landed).
 */
import * as z from 'zod';
import { config } from '#shared/config';
import type { AnnouncedFile } from '#shared/forwarding/delivery/event-delivery';

export const auditLogEvent = z.object({
  id: z.string().min(1),
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  account: z.string(),
  time: z.string().datetime({ offset: true }),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string().min(1).max(1024) }),
  }),
});

export type AuditLogEvent = z.infer<typeof auditLogEvent>;

/**
 * The file an event announces, or undefined when it is none of forwarding's business: an event of
 * another bucket or account (the rule already filters them; this is the second check). Keys arrive
 * as S3 stored them; a key that reads as URL-encoded (as S3 writes keys into queue notifications)
 * is decoded, and one that does not decode is an error (the message dead-letters).
 */
export function announcedFileOf(event: AuditLogEvent): AnnouncedFile | undefined {
  const { detail, account, time } = event;
  if (detail.bucket.name !== config().AUDIT_LOG_BUCKET || account !== config().PLATFORM_ACCOUNT_ID) return undefined;
  let key = detail.object.key;
  if (/%[0-9A-Fa-f]{2}/.test(key)) {
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      throw new Error('the event names a key that does not decode');
    }
  }
  return { key, landedAt: new Date(time) };
}
