import * as z from 'zod';
import { directoryProblem } from '#shared/exports/destination';
import { integrationHealth, integrationId } from '#shared/integrations/schemas';
import { clusterId, projectId } from '#shared/projects/schemas';

/**
 * Contracts of audit-log forwarding: the API's request and answer (also the source of the OpenAPI
 * document) and the message the scheduler sends the worker.
 */
/**
 * The customer-side key prefix forwarding writes under, with the same rules as export directories
 * (shared/exports/destination.ts), so a customer learns one rule: a relative path of S3 safe
 * characters, no leading or trailing "/", no empty, "." or ".." segments, bounded in length.
 */
export const destinationDirectory = z.string().superRefine((directory, context) => {
  const problem = directoryProblem(directory);
  if (problem) context.addIssue({ code: 'custom', message: `directory ${problem}` });
  // The session policy names `<directory>/<clusterId>/audit/*` as its resource, where a `*` would
  // be a wildcard and widen what the session may write.
  else if (directory.includes('*')) context.addIssue({ code: 'custom', message: 'directory must not contain "*"' });
});

export const forwardingBody = z.strictObject({ integrationId, directory: destinationDirectory });

export const forwardingView = z.object({
  projectId,
  clusterId,
  integrationId,
  directory: z.string(),
  /** Where the files land: `s3://<bucket>/<prefix><YYYY-MM-DD>/<HH-MM-SS>-<id>.log`. */
  destination: z.object({ bucket: z.string(), prefix: z.string() }),
  /** Files the platform writes from this moment on are forwarded. */
  enabledAt: z.string(),
  updatedAt: z.string(),
  /** The write time of the newest file delivered so far. */
  deliveredThrough: z.string().optional(),
  health: integrationHealth,
});

/** An integration's forwarding lag over the last day (GET .../lag-history, shared/forwarding/lag-history.ts). */
export const lagHistoryView = z.object({
  slotSeconds: z.number().int(),
  /** Slots with at least one run, oldest first: the largest lag of every cluster that forwards through the integration. */
  points: z.array(z.object({ at: z.string(), lagSeconds: z.number() })),
});

/** One message per enabled cluster and schedule tick. */
export const forwardingRunMessage = z.strictObject({
  projectId,
  clusterId,
  /** When the scheduler sent it (for the lag between tick and delivery). */
  scheduledAt: z.string().datetime(),
});

export type ForwardingBody = z.infer<typeof forwardingBody>;
export type ForwardingView = z.infer<typeof forwardingView>;
export type ForwardingRunMessage = z.infer<typeof forwardingRunMessage>;
export type LagHistoryView = z.infer<typeof lagHistoryView>;
