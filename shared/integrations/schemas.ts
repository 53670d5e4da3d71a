/**
 * Request and response contracts of the integrations API. These schemas validate requests, type
 * the handlers and are the source of the OpenAPI document (shared/http/openapi.ts).
 */
import * as z from 'zod';
import { config } from '#shared/config';
import { bucketNameProblem, KMS_KEY_ARN, printable, ROLE_ARN } from '#shared/integrations/naming-rules';
import { projectId } from '#shared/projects/schemas';

export const integrationId = z.string().regex(/^integ-[a-z0-9]{20}$/, 'must be an integration id (integ-...)');

export const integrationPath = z.strictObject({ projectId, integrationId });

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  nextToken: z.string().max(2048).optional(),
});

const servedRegion = z
  .string()
  .max(32)
  .refine((region) => config().SERVED_REGIONS.includes(region), {
    message: 'must be a region the platform serves',
  });

export const createIntegrationBody = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .refine((name) => printable(name), 'must contain only printable characters')
      .refine((name) => name.trim() === name && name.length > 0, 'must not start or end with spaces'),
    description: z
      .string()
      .max(512)
      .refine((text) => printable(text, true), 'must contain only printable characters')
      .optional(),
    region: servedRegion,
    bucketName: z.string().superRefine((name, context) => {
      const problem = bucketNameProblem(name);
      if (problem) context.addIssue({ code: 'custom', message: `bucket name ${problem}` });
    }),
    kmsKeyArn: z
      .string()
      .regex(KMS_KEY_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)')
      .optional(),
  })
  .refine((body) => !body.kmsKeyArn || KMS_KEY_ARN.exec(body.kmsKeyArn)?.[1] === body.region, {
    message: 'the KMS key must be in the integration region',
    path: ['kmsKeyArn'],
  });

export const setRoleBody = z.strictObject({
  roleArn: z.string().max(2048).regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
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

export const integrationView = z.object({
  integrationId,
  projectId,
  name: z.string(),
  description: z.string().optional(),
  region: z.string(),
  bucketName: z.string(),
  kmsKeyArn: z.string().optional(),
  externalId: z.string(),
  status: integrationStatus,
  roleArn: z.string().optional(),
  bucketOwnerAccountId: z.string().optional(),
  validation: validationReport.optional(),
  health: integrationHealth.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createdIntegrationView = integrationView.extend({ setup: setupDocuments });

export const integrationList = z.object({ items: z.array(integrationView), nextToken: z.string().optional() });

export type CreateIntegrationBody = z.infer<typeof createIntegrationBody>;
export type IntegrationStatus = z.infer<typeof integrationStatus>;
export type ValidationStage = z.infer<typeof validationStage>;
export type ValidationReport = z.infer<typeof validationReport>;
export type IntegrationHealth = z.infer<typeof integrationHealth>;
export type IntegrationView = z.infer<typeof integrationView>;
export type SetupDocuments = z.infer<typeof setupDocuments>;
