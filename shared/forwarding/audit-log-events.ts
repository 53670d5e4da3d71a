import * as z from 'zod';
import { config } from '#shared/config';
import type { AnnouncedFile } from '#shared/forwarding/delivery/event-delivery';

/**
 * The S3 "Object Created" events of the platform's audit-log bucket, as EventBridge delivers them
 * (AuditLogEventsRule -> AuditLogEventQueue): the envelope of
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html, of which forwarding reads
 * the bucket, the key and the event's time (when the object landed).
 */
const objectCreated = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  account: z.string(),
  time: z.string().datetime({ offset: true }),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string().min(1).max(1024) }),
  }),
});

export type ParsedEvent = { kind: 'file'; file: AnnouncedFile } | { kind: 'other'; reason: string };

/**
 * Reads one queue message. An event of another bucket or account is none of forwarding's business
 * (the rule already filters them; this is the second check). Keys arrive as S3 stored them; a key
 * that reads as URL-encoded (as S3 writes keys into queue notifications) is decoded.
 */
export function parseAuditLogEvent(body: string): ParsedEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = objectCreated.safeParse(json);
  if (!parsed.success) return undefined;
  const { detail, account, time } = parsed.data;
  if (detail.bucket.name !== config().AUDIT_LOG_BUCKET || account !== config().PLATFORM_ACCOUNT_ID) return { kind: 'other', reason: 'another bucket' };
  let key = detail.object.key;
  if (/%[0-9A-Fa-f]{2}/.test(key)) {
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return { kind: 'file', file: { key, landedAt: new Date(time) } };
}
