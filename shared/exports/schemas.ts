/**
 * Request and response contracts of the export API (docs/product-contract.md §5). They validate requests, type
 * the handlers and feed the OpenAPI document, like the integration schemas do.
 */
import * as z from 'zod';
import { integrationId } from '#shared/integrations/schemas';
import { backupId, clusterId, projectId } from '#shared/projects/schemas';
import { DIRECTORY_EXAMPLE, directoryProblem, normalizeDirectory } from '#shared/exports/destination';

export const jobId = z.string().regex(/^job-[0-9a-f]{32}$/, 'must be a job id (job-...)');

/** A directory as typed (`exports/` is `exports`), checked after normalizing; exports and forwarding share it. */
export const directory = z
  .string()
  .transform(normalizeDirectory)
  .superRefine((value, context) => {
    const problem = directoryProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .describe(DIRECTORY_EXAMPLE);

export const jobPath = z.strictObject({ projectId, jobId });

export const exportBody = z.strictObject({ integrationId, directory });
export const exportRuleBody = z.strictObject({ integrationId, directory });

export const jobStatus = z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED']);

export const jobProgress = z.object({
  objectsTotal: z.number().int(),
  objectsCopied: z.number().int(),
  bytesTotal: z.number().int(),
  bytesCopied: z.number().int(),
});

export const jobError = z.object({ code: z.string(), message: z.string() });

export const jobView = z.object({
  jobId,
  type: z.literal('BACKUP_EXPORT'),
  status: jobStatus,
  projectId,
  clusterId,
  backupId,
  integrationId,
  trigger: z.enum(['API', 'AUTO_EXPORT_RULE']),
  progress: jobProgress,
  destination: z.object({ bucket: z.string(), prefix: z.string() }),
  /** Key of the manifest, present once the export SUCCEEDED: its presence marks a complete export. */
  manifestKey: z.string().optional(),
  error: jobError.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});

export const jobList = z.object({ items: z.array(jobView), nextToken: z.string().optional() });

export const startedJob = z.object({ jobId });

export const exportRuleView = z.object({
  projectId,
  clusterId,
  integrationId,
  directory: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type JobStatus = z.infer<typeof jobStatus>;
export type JobProgress = z.infer<typeof jobProgress>;
export type JobError = z.infer<typeof jobError>;
export type JobView = z.infer<typeof jobView>;
export type ExportRuleView = z.infer<typeof exportRuleView>;
export type ExportRequest = z.infer<typeof exportBody>;
