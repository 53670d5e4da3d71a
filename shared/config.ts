import * as z from 'zod';

/**
 * Configuration, read from the environment once and checked at start-up: a function whose
 * environment is wrong fails on its first (cold) start with a message naming the variable.
 * In AWS, serverless.yml sets these; locally, the local runtime does (local/runtime/env.ts).
 */
const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  PLATFORM_ACCOUNT_ID: z.string().regex(/^\d{12}$/),
  /** Regions where the platform runs clusters; integrations must name one of them. */
  SERVED_REGIONS: commaList.pipe(z.array(z.string()).min(1)),
  /** Where the platform publishes the generic customer role template (an S3 URL); empty: no Launch Stack link. */
  CUSTOMER_ROLE_TEMPLATE_URL: z.string().default(''),
  VALIDATION_STATE_MACHINE_ARN: z.string().default(''),
  /** The daily re-validation checks an ACTIVE integration again once its last check is this old. */
  RECHECK_AFTER_HOURS: z.coerce.number().min(1).max(24 * 30).default(20),
  /** Re-validation starts in flight at once (Step Functions and DynamoDB quotas are shared with the API). */
  RECHECK_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(8),
  EXPORT_QUEUE_URL: z.string().default(''),
  /**
   * Caps how long one export invocation works before it checkpoints and hands over to a fresh one
   * (seconds; 0 = as long as the Lambda timeout allows). Tests and benchmarks lower it to force
   * continuations; production leaves it unset.
   */
  EXPORT_SLICE_SECONDS: z.coerce.number().min(0).max(900).default(0),
  FORWARDING_QUEUE_URL: z.string().default(''),
  AUDIT_LOG_BUCKET: z.string().default('platform-audit-logs'),
  /**
   * Forwarding delivers an audit-log file only once its timestamp is this old: a file the platform
   * uploads a little late (after a newer one) still sorts after the cursor and is not skipped.
   */
  FORWARDING_SETTLE_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  /** Path-style S3 addressing: only the local stack needs it. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

export function config(): Config {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new Error(`Invalid configuration: check the environment variables ${names}`);
    }
    cached = parsed.data;
  }
  return cached;
}
