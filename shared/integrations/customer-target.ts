/**
 * Which settings reach a customer's bucket, decided here and nowhere else.
 *
 * An integration carries two sets of settings: the ones the customer last asked for (`roleArn`,
 * `kmsKeyArn` on the record; a new role is *pending*) and the ones its last successful validation
 * proved (`validated`). Validation tests the candidate settings; every worker (exports,
 * forwarding) uses only the proved ones, so a role change reaches running work only once its
 * validation has passed, and a role validation refused is never assumed for an export.
 *
 * Only a validation run that passed every stage writes `validated` (shared/validation/run-store.ts);
 * an integration that becomes FAILED loses it. (Issue 13 extends this snapshot for a changed
 * kmsKeyArn and for external-ID rotation: add the fields to ValidatedSettings in integration.ts,
 * keep the rule here.)
 */
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { ConflictError, NotFoundError, UnprocessableError } from '#shared/errors';
import type { Integration, ValidatedSettings } from '#shared/integrations/integration';
import { accountOfRoleArn } from '#shared/integrations/naming-rules';

/** The settings a validation run tests: what the customer last set. */
export function candidateTargetOf(integration: Integration): CustomerTarget {
  if (!integration.roleArn) throw new Error('a validation run started without a role ARN');
  return {
    integrationId: integration.integrationId,
    roleArn: integration.roleArn,
    externalId: integration.externalId,
    bucketName: integration.bucketName,
    bucketOwnerAccountId: accountOfRoleArn(integration.roleArn),
    region: integration.region,
    ...(integration.kmsKeyArn ? { kmsKeyArn: integration.kmsKeyArn } : {}),
  };
}

/** What a successful validation run of `target` records as proved. */
export function validatedSettingsFor(target: CustomerTarget, at: string): ValidatedSettings {
  return {
    roleArn: target.roleArn,
    externalId: target.externalId,
    bucketOwnerAccountId: target.bucketOwnerAccountId,
    ...(target.kmsKeyArn ? { kmsKeyArn: target.kmsKeyArn } : {}),
    at,
  };
}

/**
 * The proved settings. Integrations stored before snapshots existed (ACTIVE, with a role but no
 * `validated`) were made ACTIVE by a validation of exactly their current settings, since any role
 * change took them out of ACTIVE: their current settings count as validated. Any other integration
 * without a snapshot has nothing proved.
 */
export function validatedSettingsOf(integration: Integration): ValidatedSettings | undefined {
  if (integration.validated) return integration.validated;
  if (integration.status !== 'ACTIVE' || !integration.roleArn) return undefined;
  return validatedSettingsFor(candidateTargetOf(integration), integration.updatedAt);
}

/**
 * The target every worker uses, or undefined when the integration may not carry work now. Work
 * continues while the integration is ACTIVE, and while a new validation runs on an integration
 * that has proved settings (a role change is pending; the old role keeps serving until the new
 * one passes). AWAITING_ROLE and FAILED integrations carry no work.
 */
export function workerTargetOf(integration: Integration): CustomerTarget | undefined {
  if (integration.status !== 'ACTIVE' && integration.status !== 'VALIDATING') return undefined;
  const validated = validatedSettingsOf(integration);
  if (!validated) return undefined;
  return {
    integrationId: integration.integrationId,
    roleArn: validated.roleArn,
    externalId: validated.externalId,
    bucketName: integration.bucketName,
    bucketOwnerAccountId: validated.bucketOwnerAccountId,
    region: integration.region,
    ...(validated.kmsKeyArn ? { kmsKeyArn: validated.kmsKeyArn } : {}),
  };
}

/**
 * The integration new work may use (an export, forwarding turned on or moved): present, ACTIVE
 * and in the cluster's region (docs/product-contract.md §3). Work already running follows workerTargetOf.
 */
export function requireUsableForNewWork(integration: Integration | undefined, clusterRegion: string): Integration {
  if (!integration) throw new NotFoundError('No such integration in this project.', 'INTEGRATION_NOT_FOUND');
  if (integration.status !== 'ACTIVE') {
    throw new ConflictError(
      'INTEGRATION_NOT_ACTIVE',
      `The integration is ${integration.status}, not ACTIVE: finish its setup or validate it again ` +
        '(POST .../integrations/{integrationId}/validate).',
    );
  }
  if (integration.region !== clusterRegion) {
    throw new UnprocessableError(
      'REGION_MISMATCH',
      `The integration's bucket is in ${integration.region} but the cluster runs in ${clusterRegion}: ` +
        `use an integration in ${clusterRegion}.`,
    );
  }
  return integration;
}
