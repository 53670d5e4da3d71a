/**
 * Every route of the HTTP API with the schemas it validates and answers with, named here and
 * nowhere else: each handler names its operation (`apiHandler('createIntegration', ...)`) and gets
 * the route's schemas from this table, the OpenAPI document is generated from it, and tests check
 * it against the httpApi events of serverless.yml and each deployed function's handler, so the
 * routes, the handlers, the document and the deployment cannot drift apart.
 */
import * as z from 'zod';
import {
  createdIntegrationView,
  createIntegrationBody,
  editIntegrationBody,
  integrationList,
  integrationPath,
  integrationView,
  listQuery,
  setRoleBody,
  setupDocuments,
} from '#shared/integrations/schemas';
import {
  digestPublicKeyView,
  forwardingBody,
  forwardingPatch,
  forwardingView,
  lagHistoryView,
  replayBody,
  replayPath,
  replayView,
} from '#shared/forwarding/schemas';
import { regionList } from '#shared/integrations/regions';
import { backupList, backupPath, clusterList, clusterPath, projectPath } from '#shared/projects/schemas';
import {
  exportBody,
  exportRuleBody,
  exportRuleView,
  jobList,
  jobPath,
  jobView,
  startedJob,
} from '#shared/exports/schemas';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  summary: string;
  /** `public` routes need no token; `read` and `write` follow docs/product-contract.md §2. */
  access: 'public' | 'read' | 'write';
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: Record<string, ResponseHeader> }>;
}

/** A header of an answer, as the OpenAPI document declares it. */
export interface ResponseHeader {
  description: string;
  schema: z.ZodType;
}

/** 429: the integration's validations per minute are used up (shared/validation/start-validation.ts). */
const tooManyValidations = {
  description:
    'The integration started its validations for this minute (TOO_MANY_VALIDATIONS); Retry-After says when to ' +
    'try again',
  headers: {
    'Retry-After': {
      description: 'Seconds to wait before validating this integration again',
      schema: z.number().int().min(1),
    },
  },
};

const integrationRoot = '/v1/projects/{projectId}/integrations';
const oneIntegration = `${integrationRoot}/{integrationId}`;

export const apiRoutes = [
  {
    method: 'GET',
    path: '/v1/health',
    operationId: 'getHealth',
    summary: 'Liveness check',
    access: 'public',
    responses: { 200: { description: 'The API is up', schema: z.object({ status: z.literal('ok') }) } },
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    access: 'public',
    responses: { 200: { description: 'The OpenAPI 3.1 document' } },
  },
  {
    method: 'GET',
    path: '/v1/regions',
    operationId: 'listRegions',
    summary: 'The regions the platform serves: an integration must name one of them',
    access: 'public',
    responses: { 200: { description: 'The served regions', schema: regionList } },
  },
  {
    method: 'POST',
    path: integrationRoot,
    operationId: 'createIntegration',
    summary: 'Create an integration (status AWAITING_ROLE) and get the documents to set up the role',
    access: 'write',
    pathParams: projectPath,
    body: createIntegrationBody,
    responses: {
      201: { description: 'Created', schema: createdIntegrationView },
      409: {
        description:
          'The name is taken (NAME_TAKEN), or the project has the most integrations it may have ' +
          '(INTEGRATION_LIMIT_REACHED)',
      },
    },
  },
  {
    method: 'GET',
    path: integrationRoot,
    operationId: 'listIntegrations',
    summary: 'List the integrations of a project',
    access: 'read',
    pathParams: projectPath,
    query: listQuery,
    responses: { 200: { description: 'A page of integrations', schema: integrationList } },
  },
  {
    method: 'GET',
    path: oneIntegration,
    operationId: 'getIntegration',
    summary: 'An integration with its status, latest validation report and health',
    access: 'read',
    pathParams: integrationPath,
    responses: { 200: { description: 'The integration', schema: integrationView } },
  },
  {
    method: 'PATCH',
    path: oneIntegration,
    operationId: 'editIntegration',
    summary:
      'Edit the name, description or KMS key (null removes the description or the key); a new key waits for a ' +
      'validation while work keeps the validated settings',
    access: 'write',
    pathParams: integrationPath,
    body: editIntegrationBody,
    responses: {
      200: { description: 'The integration as edited, with its setup documents', schema: createdIntegrationView },
      409: {
        description:
          'The name is taken (NAME_TAKEN), a validation is running and the key cannot change now ' +
          '(VALIDATION_IN_PROGRESS), or the integration changed meanwhile (CONCURRENT_UPDATE)',
      },
    },
  },
  {
    method: 'POST',
    path: `${oneIntegration}/external-id-rotation`,
    operationId: 'startExternalIdRotation',
    summary:
      'Issue a new external ID (rotation PENDING): the trust policy accepts both until a validation proves the new ' +
      'one, which work then uses; the old one is retired once the role refuses it',
    access: 'write',
    pathParams: integrationPath,
    responses: {
      201: {
        description: 'The rotation is PENDING; the setup documents show the trust policy that accepts both IDs',
        schema: createdIntegrationView,
      },
      409: {
        description:
          'A rotation is under way (ROTATION_IN_PROGRESS), a validation is running (VALIDATION_IN_PROGRESS), or the ' +
          'integration changed meanwhile (CONCURRENT_UPDATE)',
      },
    },
  },
  {
    method: 'DELETE',
    path: `${oneIntegration}/external-id-rotation`,
    operationId: 'cancelExternalIdRotation',
    summary: 'Cancel a PENDING rotation: the current external ID stays, the new one is never issued again',
    access: 'write',
    pathParams: integrationPath,
    responses: {
      204: { description: 'Cancelled' },
      404: { description: 'No rotation under way (ROTATION_NOT_FOUND), or no such integration' },
      409: {
        description:
          'The new ID is already in use (ROTATION_SWITCHED), or a validation is running (VALIDATION_IN_PROGRESS)',
      },
    },
  },
  {
    method: 'GET',
    path: `${oneIntegration}/setup`,
    operationId: 'getIntegrationSetup',
    summary: 'The IAM policy, trust policy and CloudFormation template for the customer',
    access: 'read',
    pathParams: integrationPath,
    responses: { 200: { description: 'The setup documents', schema: setupDocuments } },
  },
  {
    method: 'GET',
    path: `${oneIntegration}/lag-history`,
    operationId: 'getIntegrationLagHistory',
    summary: 'Audit-log forwarding lag through the integration over the last day (largest per 10-minute slot)',
    access: 'read',
    pathParams: integrationPath,
    responses: { 200: { description: 'The lag series', schema: lagHistoryView } },
  },
  {
    method: 'PUT',
    path: `${oneIntegration}/role`,
    operationId: 'setIntegrationRole',
    summary: 'Store the customer role and start validation',
    access: 'write',
    pathParams: integrationPath,
    body: setRoleBody,
    responses: {
      202: { description: 'Validation started', schema: integrationView },
      429: tooManyValidations,
    },
  },
  {
    method: 'POST',
    path: `${oneIntegration}/validate`,
    operationId: 'validateIntegration',
    summary: 'Validate the integration again (e.g. after fixing a policy)',
    access: 'write',
    pathParams: integrationPath,
    responses: {
      202: { description: 'Validation started', schema: integrationView },
      429: tooManyValidations,
    },
  },
  {
    method: 'DELETE',
    path: oneIntegration,
    operationId: 'deleteIntegration',
    summary: 'Delete an integration that no export or forwarding uses',
    access: 'write',
    pathParams: integrationPath,
    responses: { 204: { description: 'Deleted' } },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clusters',
    operationId: 'listClusters',
    summary: 'List the clusters of a project (learnt from platform events), with region and tier',
    access: 'read',
    pathParams: projectPath,
    query: listQuery,
    responses: { 200: { description: 'A page of clusters', schema: clusterList } },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/backups',
    operationId: 'listBackups',
    summary: 'List the completed backups of a cluster (learnt from platform events)',
    access: 'read',
    pathParams: clusterPath,
    query: listQuery,
    responses: { 200: { description: 'A page of backups', schema: backupList } },
  },
  {
    method: 'PUT',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
    operationId: 'putAuditLogForwarding',
    summary: 'Turn audit-log forwarding of a dedicated cluster on, or change its integration or directory',
    access: 'write',
    pathParams: clusterPath,
    body: forwardingBody,
    responses: {
      200: {
        description: 'Forwarding changed; pending files go to the new place, and a new digest chain starts there',
        schema: forwardingView,
      },
      201: { description: 'Forwarding turned on', schema: forwardingView },
      422: { description: 'The integration is in another region than the cluster (REGION_MISMATCH)' },
    },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
    operationId: 'getAuditLogForwarding',
    summary: "A cluster's audit-log forwarding with its delivery health",
    access: 'read',
    pathParams: clusterPath,
    responses: { 200: { description: 'The forwarding', schema: forwardingView } },
  },
  {
    method: 'PATCH',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
    operationId: 'patchAuditLogForwarding',
    summary:
      'Pause or resume audit-log forwarding (files that land while paused are delivered after resuming), or change ' +
      'its compression',
    access: 'write',
    pathParams: clusterPath,
    body: forwardingPatch,
    responses: { 200: { description: 'The forwarding as changed', schema: forwardingView } },
  },
  {
    method: 'POST',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding/replay',
    operationId: 'startAuditLogReplay',
    summary:
      'Deliver again, to the same keys, every audit-log file of a window the platform still holds (files the bucket ' +
      'still has are left as they are)',
    access: 'write',
    pathParams: clusterPath,
    body: replayBody,
    responses: {
      202: { description: 'The replay job, started', schema: replayView },
      409: {
        description:
          'A replay runs already (REPLAY_RUNNING), forwarding is paused (FORWARDING_PAUSED), or the integration is ' +
          'not ACTIVE (INTEGRATION_NOT_ACTIVE)',
      },
      422: {
        description:
          'The window starts before forwarding was turned on, has not begun, or is longer than 31 days ' +
          '(REPLAY_WINDOW_INVALID)',
      },
    },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding/replay/{replayId}',
    operationId: 'getAuditLogReplay',
    summary: 'A replay job with its progress',
    access: 'read',
    pathParams: replayPath,
    responses: { 200: { description: 'The replay job', schema: replayView } },
  },
  {
    method: 'GET',
    path: '/v1/audit-log-digests/public-key',
    operationId: 'getAuditLogDigestKey',
    summary: "The platform's public key of the signed hourly audit-log digests (for npm run verify-audit-logs)",
    access: 'public',
    responses: { 200: { description: 'The public key', schema: digestPublicKeyView } },
  },
  {
    method: 'DELETE',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
    operationId: 'deleteAuditLogForwarding',
    summary: 'Turn audit-log forwarding off (files already delivered stay)',
    access: 'write',
    pathParams: clusterPath,
    responses: { 204: { description: 'Forwarding turned off' } },
  },
  {
    method: 'POST',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/backups/{backupId}/export',
    operationId: 'startBackupExport',
    summary:
      'Export an AVAILABLE backup to an ACTIVE integration in the cluster region (the same request again returns ' +
      'the same job)',
    access: 'write',
    pathParams: backupPath,
    body: exportBody,
    responses: {
      202: { description: 'The export job is queued or already exists', schema: startedJob },
      422: { description: 'The integration is in another region than the cluster (REGION_MISMATCH)' },
    },
  },
  {
    method: 'PUT',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule',
    operationId: 'putBackupExportRule',
    summary: "Export every completed backup of a dedicated cluster automatically into the rule's directory",
    access: 'write',
    pathParams: clusterPath,
    body: exportRuleBody,
    responses: {
      200: { description: 'The rule as stored', schema: exportRuleView },
      422: { description: 'The integration is in another region than the cluster (REGION_MISMATCH)' },
    },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule',
    operationId: 'getBackupExportRule',
    summary: "A cluster's auto-export rule",
    access: 'read',
    pathParams: clusterPath,
    responses: { 200: { description: 'The rule', schema: exportRuleView } },
  },
  {
    method: 'DELETE',
    path: '/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule',
    operationId: 'deleteBackupExportRule',
    summary: 'Stop exporting backups of the cluster automatically (running jobs continue)',
    access: 'write',
    pathParams: clusterPath,
    responses: { 204: { description: 'Rule deleted' } },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/jobs',
    operationId: 'listExportJobs',
    summary: 'List the export jobs of a project',
    access: 'read',
    pathParams: projectPath,
    query: listQuery,
    responses: { 200: { description: 'A page of jobs', schema: jobList } },
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/jobs/{jobId}',
    operationId: 'getExportJob',
    summary: 'An export job with its status, progress, destination and error',
    access: 'read',
    pathParams: jobPath,
    responses: { 200: { description: 'The job', schema: jobView } },
  },
] as const satisfies readonly ApiRoute[];

type Route = (typeof apiRoutes)[number];
export type OperationId = Route['operationId'];
/** The operations a caller with a token may call, and those anyone may. */
export type CallerOperationId = Exclude<Route, { access: 'public' }>['operationId'];
export type PublicOperationId = Extract<Route, { access: 'public' }>['operationId'];
export type RouteOf<O extends OperationId> = Extract<Route, { operationId: O }>;

export function routeOf<O extends OperationId>(operationId: O): RouteOf<O> {
  const route = apiRoutes.find((candidate) => candidate.operationId === operationId);
  if (!route) throw new Error(`No route has the operation ${operationId}`);
  return route as RouteOf<O>;
}
