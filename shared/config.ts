/**
 * Configuration, read from the environment once and checked at start-up: a function whose
 * environment is wrong fails on its first (cold) start with a message naming the variable.
 * In AWS, serverless.yml sets these; locally, the local runtime does (local/runtime/src/env.ts).
 */
import * as z from 'zod';

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Where a backup's files live: `<clusterId>` and `<backupId>` must both appear, and it names a folder. */
const prefixLayout = z
  .string()
  .refine((layout) => layout.includes('<clusterId>') && layout.includes('<backupId>') && layout.endsWith('/'), {
    message: 'must name <clusterId> and <backupId> and end with /',
  });

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  PLATFORM_ACCOUNT_ID: z.string().regex(/^\d{12}$/),
  /** Regions where the platform runs clusters; integrations must name one of them. */
  SERVED_REGIONS: commaList.pipe(z.array(z.string()).min(1)),
  /** Where the platform publishes the generic customer role template (an S3 URL); empty: no Launch Stack link. */
  CUSTOMER_ROLE_TEMPLATE_URL: z.string().default(''),
  VALIDATION_STATE_MACHINE_ARN: z.string().default(''),
  /** The daily re-validation checks an ACTIVE integration again once its last check is this old. */
  RECHECK_AFTER_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(20),
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
  /** Where the scheduler sends hourly digest runs (signAuditLogDigests). */
  DIGEST_QUEUE_URL: z.string().default(''),
  AUDIT_LOG_BUCKET: z.string().default('platform-audit-logs'),
  /**
   * A reconciliation leaves files that landed less than this long ago to their S3 events, which
   * normally deliver them within seconds; it delivers older files whose event never came.
   */
  FORWARDING_EVENT_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
  /** The platform's KMS signing key (RSA, SIGN_VERIFY) of the hourly audit-log digests. */
  AUDIT_LOG_DIGEST_KEY_ARN: z.string().default(''),
  /**
   * The accounts whose platform events the service accepts (the bus policy and the rules say the
   * same; the functions check again). Empty: the platform account alone.
   */
  PLATFORM_EVENT_ACCOUNTS: commaList.default([]),
  /** An event whose `time` is further ahead of our clock than this is refused (it would outrank every later one). */
  PLATFORM_EVENT_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  /**
   * Names or IAM wildcard patterns of the buckets backup files may live in (`*`: any bucket of BACKUP_BUCKET_OWNER).
   */
  BACKUP_BUCKETS: commaList.pipe(z.array(z.string()).min(1)).default(['*']),
  /**
   * The account that owns the backup buckets (ExpectedBucketOwner of every backup read). Empty: the platform account.
   */
  BACKUP_BUCKET_OWNER: z
    .string()
    .regex(/^(\d{12})?$/)
    .default(''),
  /** The folder of one backup's files; a `Backup Completed` must name a prefix at or below it. */
  BACKUP_PREFIX_LAYOUT: prefixLayout.default('backups/<clusterId>/<backupId>/'),
  /**
   * Per-project limits (docs/architecture.md#limits-and-fairness). Integrations a project may
   * have at once; checked in the transaction that creates one.
   */
  MAX_INTEGRATIONS_PER_PROJECT: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Validation runs one integration may start per minute (PUT .../role and POST .../validate); more get 429. */
  VALIDATIONS_PER_INTEGRATION_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(10),
  /** Export jobs of one project running at once; more wait as PENDING and start in turn. */
  MAX_RUNNING_EXPORTS_PER_PROJECT: z.coerce.number().int().min(1).max(1000).default(4),
  /**
   * How many workers copy one export at once (K) follows its size: one per this many GiB of backup
   * files, at least one (docs/exports.md#workers-per-export).
   */
  EXPORT_GIB_PER_WORKER: z.coerce
    .number()
    .positive()
    .max(1024 * 1024)
    .default(4),
  /**
   * The workers one project's running exports may use together, so one tenant cannot take every
   * worker of the stack (ExportQueue's maximumConcurrency); each running export has at least one.
   */
  MAX_EXPORT_WORKERS_PER_PROJECT: z.coerce.number().int().min(1).max(1000).default(32),
  /** An unfinished export job that has not moved for this long is ended FAILED (EXPORT_ABANDONED) by the sweeper. */
  EXPORT_ABANDONED_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .min(30)
    .max(7 * 24 * 60)
    .default(360),
  /** The service's bus, where it publishes its own events (shared/notifications/); empty: it publishes none. */
  EVENT_BUS_NAME: z.string().default(''),
  /**
   * Forwarding whose oldest undelivered file is older than this is LAGGING (an Audit Log Forwarding Health Changed
   * event).
   */
  FORWARDING_LAG_ALERT_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
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
