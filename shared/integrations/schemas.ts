/**
 * Request and response contracts of the integrations API. These schemas validate requests, type
 * the handlers and are the source of the OpenAPI document (shared/http/openapi.ts).
 */
import * as z from 'zod';
import { config } from '#shared/config';
import { bucketNameProblem, KMS_KEY_ARN, printable, ROLE_ARN } from '#shared/integrations/naming-rules';
import { projectId } from '#shared/projects/schemas';

export const integrationId = z
  .string()
  .regex(/^integ-[a-z0-9]{20}$/, 'must be an integration id (integ-...)')
  .describe('an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it');

export const integrationPath = z.strictObject({ projectId, integrationId });

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('a whole number from 1 to 100 (default 25)'),
  nextToken: z.string().max(2048).optional().describe('the nextToken of the previous page, unchanged'),
});

/** The served regions, named in the error, so a person who typed another one learns the choices. */
const servedRegion = z
  .string()
  .max(32)
  .refine((region) => config().SERVED_REGIONS.includes(region), {
    error: () => `must be a region the platform serves: ${config().SERVED_REGIONS.join(', ')}`,
  })
  .describe('one of the regions the platform serves (GET /v1/regions lists them), e.g. "us-east-1"');

const integrationName = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => printable(name), 'must contain only printable characters')
  .refine((name) => name.trim() === name && name.length > 0, 'must not start or end with spaces')
  .describe('1 to 64 printable characters, unique in the project, e.g. "Nightly exports"');

const integrationDescription = z
  .string()
  .max(512)
  .refine((text) => printable(text, true), 'must contain only printable characters')
  .describe('up to 512 printable characters; new lines and tabs are allowed');

const bucketName = z
  .string()
  .superRefine((name, context) => {
    const problem = bucketNameProblem(name);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .describe('an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, e.g. "acme-exports"');

const kmsKeyArn = z
  .string()
  .regex(KMS_KEY_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or a key id')
  .describe(
    "the ARN of the KMS key of the bucket's default encryption, in the integration region, e.g. " +
      '"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
  );

/** A key is used in the integration's region only: S3 refuses a key of another region. */
export const kmsKeyInRegion = (keyArn: string, region: string) => KMS_KEY_ARN.exec(keyArn)?.[1] === region;

export const createIntegrationBody = z
  .strictObject({
    name: integrationName,
    description: integrationDescription.optional(),
    region: servedRegion,
    bucketName,
    kmsKeyArn: kmsKeyArn.optional(),
  })
  .refine((body) => !body.kmsKeyArn || kmsKeyInRegion(body.kmsKeyArn, body.region), {
    message: 'must be a key in the integration region',
    path: ['kmsKeyArn'],
  });

/**
 * PATCH: any of name, description and kmsKeyArn; `null` removes the description or the key. A
 * changed key regenerates the documents and waits for a validation (the key's region is checked
 * against the integration's in the use case, which knows the region).
 */
export const editIntegrationBody = z
  .strictObject({
    name: integrationName.optional(),
    description: integrationDescription.nullable().optional(),
    kmsKeyArn: kmsKeyArn.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'must name at least one of name, description and kmsKeyArn',
  });

export const setRoleBody = z.strictObject({
  roleArn: z
    .string()
    .max(2048)
    .regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
    .describe('the ARN of the role you created in your account, e.g. "arn:aws:iam::123456789012:role/s3-integration"'),
});

export const integrationStatus = z.enum(['AWAITING_ROLE', 'VALIDATING', 'ACTIVE', 'FAILED']);

export const validationStage = z.object({
  name: z.enum([
    'ASSUME_ROLE',
    'EXTERNAL_ID_ENFORCED',
    'BUCKET_LOCATION',
    'BUCKET_REGION',
    'WRITE_ACCESS',
    'READ_ACCESS',
  ]),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
  code: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

export const validationReport = z.object({
  runId: z.string(),
  result: z.enum(['RUNNING', 'SUCCESSFUL', 'FAILED']),
  stages: z.array(validationStage),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

export const integrationHealth = z.object({
  lastDeliveryAt: z.string().optional(),
  /**
   * Audit-log forwarding: seconds from a file landing in the platform's bucket to its confirmed write, for the newest
   * delivery.
   */
  deliveryLatencySeconds: z.number().optional(),
  /** Age (seconds) of the oldest audit-log file that landed and is not delivered; 0 when none waits. */
  lagSeconds: z.number().optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).optional(),
  consecutiveFailures: z.number().int(),
});

const policyDocument = z.object({ Version: z.string(), Statement: z.array(z.record(z.string(), z.unknown())) });

export const setupDocuments = z.object({
  iamPolicy: policyDocument,
  trustPolicy: policyDocument,
  cloudFormationTemplate: z.record(z.string(), z.unknown()),
  /**
   * AWS's one-click quick-create link for the role, when the platform publishes its generic template (absent
   * otherwise).
   */
  launchStackUrl: z.string().optional(),
});

/**
 * An external-ID rotation under way. PENDING: `newExternalId` is issued; the trust policy of the
 * setup documents accepts it beside the current one, and work keeps using the current one until a
 * validation proves the new one. RETIRING: the new ID is proved and in use (it is `externalId`
 * now); the old one is retired once a validation sees the role refuse it.
 */
export const externalIdRotation = z.object({
  status: z.enum(['PENDING', 'RETIRING']),
  newExternalId: z.string(),
  oldExternalId: z.string(),
  startedAt: z.string(),
});

export const integrationView = z.object({
  integrationId,
  projectId,
  name: z.string(),
  description: z.string().optional(),
  region: z.string(),
  bucketName: z.string(),
  kmsKeyArn: z.string().optional(),
  externalId: z.string(),
  externalIdRotation: externalIdRotation.optional(),
  status: integrationStatus,
  roleArn: z.string().optional(),
  bucketOwnerAccountId: z.string().optional(),
  validation: validationReport.optional(),
  /**
   * Settings changed since the last successful validation (a new role, key or external ID): work
   * keeps using the validated ones until a validation of the new ones passes.
   */
  awaitingValidation: z.array(z.enum(['roleArn', 'kmsKeyArn', 'externalId'])).optional(),
  health: integrationHealth.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createdIntegrationView = integrationView.extend({ setup: setupDocuments });

export const integrationList = z.object({ items: z.array(integrationView), nextToken: z.string().optional() });

export type CreateIntegrationBody = z.infer<typeof createIntegrationBody>;
export type EditIntegrationBody = z.infer<typeof editIntegrationBody>;
export type IntegrationStatus = z.infer<typeof integrationStatus>;
export type ValidationStage = z.infer<typeof validationStage>;
export type ValidationReport = z.infer<typeof validationReport>;
export type IntegrationHealth = z.infer<typeof integrationHealth>;
export type IntegrationView = z.infer<typeof integrationView>;
export type SetupDocuments = z.infer<typeof setupDocuments>;
export type ExternalIdRotation = z.infer<typeof externalIdRotation>;
