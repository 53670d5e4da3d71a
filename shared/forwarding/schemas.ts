/**
 * Contracts of audit-log forwarding: the API's requests and answers (also the source of the
 * OpenAPI document) and the messages its workers exchange.
 */
import * as z from 'zod';
import { directory } from '#shared/exports/schemas';
import { integrationHealth, integrationId } from '#shared/integrations/schemas';
import { clusterId, projectId } from '#shared/projects/schemas';

/**
 * The customer-side key prefix forwarding writes under, with the same rules as export directories
 * (shared/exports/destination.ts), so a customer learns one rule: a relative path of S3 safe
 * characters (no `*`, which the session policy would read as a wildcard), no leading "/", no
 * empty, "." or ".." segments, bounded in length; a trailing "/" is dropped.
 */
export const destinationDirectory = directory;

/** `gzip`: files are delivered gzip-compressed, as `.log.gz` with `Content-Encoding: gzip`. */
export const compression = z.enum(['none', 'gzip']);

export const forwardingBody = z.strictObject({
  integrationId,
  directory: destinationDirectory,
  compression: compression.optional(),
});

/** PATCH: pause or resume, or change options; at least one field. */
export const forwardingPatch = z
  .strictObject({ paused: z.boolean().optional(), compression: compression.optional() })
  .refine((patch) => patch.paused !== undefined || patch.compression !== undefined, {
    message: 'name paused or compression',
  });

export const forwardingView = z.object({
  projectId,
  clusterId,
  integrationId,
  directory: z.string(),
  compression,
  /** While paused nothing is written to the bucket; files that land meanwhile are delivered after resuming. */
  paused: z.boolean(),
  pausedAt: z.string().optional(),
  /**
   * Where the files land: `s3://<bucket>/<prefix><YYYY-MM-DD>/<HH-MM-SS>-<id>.log[.gz]`, digests under
   * `<prefix>digests/`.
   */
  destination: z.object({ bucket: z.string(), prefix: z.string() }),
  /** Files the platform writes from this moment on are forwarded. */
  enabledAt: z.string(),
  updatedAt: z.string(),
  /** Write time of the oldest file that landed and is not delivered yet (paused, or the bucket failing). */
  pendingSince: z.string().optional(),
  /** The newest hourly digest written. */
  lastDigest: z.object({ hour: z.string(), key: z.string() }).optional(),
  health: integrationHealth,
});

/** An integration's forwarding lag over the last day (GET .../lag-history, shared/forwarding/lag-history.ts). */
export const lagHistoryView = z.object({
  slotSeconds: z.number().int(),
  /**
   * Slots with at least one run, oldest first: the largest lag of every cluster that forwards through the integration.
   */
  points: z.array(z.object({ at: z.string(), lagSeconds: z.number() })),
});

/** A time in the API: ISO 8601 with a time zone. */
const instant = z.string().datetime({ offset: true });

export const replayBody = z.strictObject({ from: instant, to: instant });

export const replayId = z.string().regex(/^replay-[a-z2-7]{20}$/, 'must be a replay id');

export const replayPath = z.strictObject({ projectId, clusterId, replayId });

export const replayView = z.object({
  replayId,
  clusterId,
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
  from: z.string(),
  to: z.string(),
  progress: z.object({
    hoursTotal: z.number().int(),
    hoursDone: z.number().int(),
    /** Files written again: the customer's bucket no longer held them. */
    filesDelivered: z.number().int(),
    /** Files the bucket already held with the same content: nothing written. */
    filesAlreadyPresent: z.number().int(),
  }),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const digestPublicKeyView = z.object({
  /** The KMS key that signs the digests: each digest names it (`signing.keyArn`). */
  keyArn: z.string(),
  /** SHA-256 (hex) of the key's DER SubjectPublicKeyInfo. */
  keyFingerprint: z.string(),
  signingAlgorithm: z.literal('RSASSA_PSS_SHA_256'),
  /** PEM `PUBLIC KEY` (SubjectPublicKeyInfo). */
  publicKeyPem: z.string(),
});

/** A message of the catch-up queue: deliver what a cluster's events left, or continue a replay. */
export const forwardingRunMessage = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('catch-up'),
    projectId,
    clusterId,
    /** `reconcile`: look for files whose event never came in the recent hours; `pending`: deliver pending files. */
    reason: z.enum(['pending', 'reconcile']),
    requestedAt: z.string().datetime(),
  }),
  z.strictObject({ kind: z.literal('replay'), projectId, clusterId, replayId }),
]);

/** A message of the digest queue: write the digests due for one cluster's forwarding. */
export const digestRunMessage = z.strictObject({ projectId, clusterId, requestedAt: z.string().datetime() });

export type ForwardingBody = z.infer<typeof forwardingBody>;
export type ForwardingPatch = z.infer<typeof forwardingPatch>;
export type ForwardingView = z.infer<typeof forwardingView>;
export type ReplayView = z.infer<typeof replayView>;
export type ForwardingRunMessage = z.infer<typeof forwardingRunMessage>;
export type DigestRunMessage = z.infer<typeof digestRunMessage>;
export type LagHistoryView = z.infer<typeof lagHistoryView>;
