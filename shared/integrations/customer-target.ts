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
 * an integration that becomes FAILED loses it. A changed kmsKeyArn (PATCH) is a candidate like a
 * new role: work keeps the proved key until a validation of the new one passes, and a validation
 * of such a change that fails leaves the proved settings serving (`keepsProvedSettingsOnFailure`).
 * The daily re-check tests the proved settings, never a candidate. An external-ID rotation's
 * new ID is a candidate too: until a validation proves it, work continues with the current ID.
 */
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { ConflictError, NotFoundError, UnprocessableError } from '#shared/errors';
import type { Integration, ValidatedSettings } from '#shared/integrations/integration';
import { accountOfRoleArn } from '#shared/integrations/naming-rules';

/**
 * The external ID a validation tests: the pending one of a rotation (PENDING), which work does not
 * use until a validation proves it; otherwise the integration's own.
 */
export const candidateExternalIdOf = (integration: Integration) =>
  integration.externalIdRotation?.status === 'PENDING'
    ? integration.externalIdRotation.newExternalId
    : integration.externalId;

/** The settings a validation run tests: what the customer last set. */
export function candidateTargetOf(integration: Integration): CustomerTarget {
  if (!integration.roleArn) throw new Error('a validation run started without a role ARN');
  return {
    integrationId: integration.integrationId,
    roleArn: integration.roleArn,
    externalId: candidateExternalIdOf(integration),
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
 * The proved settings: only a snapshot counts. Integrations stored before snapshots existed (ACTIVE,
 * with a role but no `validated`) were made ACTIVE by the old external-ID probe, which a role
 * trusting every tenant's ID (`s3i-*`) passed: such a role may be another tenant's, taken over
 * before the probe was fixed. They carry no work until a run of the current probe proves their
 * settings (`awaitsUpgradeRecheck`; docs/deploy.md, "Upgrading a running stage").
 */
export function validatedSettingsOf(integration: Integration): ValidatedSettings | undefined {
  return integration.validated;
}

/**
 * An ACTIVE integration whose settings no run of the current probe proved (stored before snapshots):
 * the upgrade re-check (recheck.ts, `unprovedOnly`) tests its current settings, which a passing run
 * records as proved, while work refuses it until then.
 */
export const awaitsUpgradeRecheck = (integration: Integration): boolean =>
  integration.status === 'ACTIVE' && !!integration.roleArn && !integration.validated;

/** The settings a validation run of `mode` tests: the candidate, or for the daily re-check the proved ones. */
export function testedTargetOf(integration: Integration, mode: 'validate' | 'recheck'): CustomerTarget {
  if (mode === 'validate' || awaitsUpgradeRecheck(integration)) return candidateTargetOf(integration);
  const proved = validatedSettingsOf(integration);
  if (!proved) throw new Error('a re-check started on an integration with nothing proved');
  return targetFrom(integration, proved);
}

export type AwaitingValidation = 'roleArn' | 'kmsKeyArn' | 'externalId';

/**
 * Which of the candidate settings differ from the proved ones (none when nothing is proved yet:
 * then everything awaits its first validation, which the status already says).
 */
export function changesAwaitingValidation(integration: Integration): AwaitingValidation[] {
  const proved = validatedSettingsOf(integration);
  if (!proved || !integration.roleArn) return [];
  const candidate = candidateTargetOf(integration);
  const changes: AwaitingValidation[] = [];
  if (candidate.roleArn !== proved.roleArn) changes.push('roleArn');
  if ((candidate.kmsKeyArn ?? '') !== (proved.kmsKeyArn ?? '')) changes.push('kmsKeyArn');
  if (candidate.externalId !== proved.externalId) changes.push('externalId');
  return changes;
}

/**
 * Whether a failed validation of the candidate leaves the proved settings serving. It does when
 * the run tested only a new key or a new external ID on the role already proved: the failure says
 * what the change still needs, and nothing showed the proved settings broken (workers and the
 * daily re-check would). A run that tested the proved settings themselves, or a new role, ends
 * FAILED as before.
 */
export function keepsProvedSettingsOnFailure(integration: Integration): boolean {
  const changes = changesAwaitingValidation(integration);
  return changes.length > 0 && !changes.includes('roleArn');
}

const targetFrom = (integration: Integration, proved: ValidatedSettings): CustomerTarget => ({
  integrationId: integration.integrationId,
  roleArn: proved.roleArn,
  externalId: proved.externalId,
  bucketName: integration.bucketName,
  bucketOwnerAccountId: proved.bucketOwnerAccountId,
  region: integration.region,
  ...(proved.kmsKeyArn ? { kmsKeyArn: proved.kmsKeyArn } : {}),
});

/**
 * The target every worker uses, or undefined when the integration may not carry work now. Work
 * continues while the integration is ACTIVE, and while a new validation runs on an integration
 * that has proved settings (a role change is pending; the old role keeps serving until the new
 * one passes). AWAITING_ROLE and FAILED integrations carry no work.
 */
export function workerTargetOf(integration: Integration): CustomerTarget | undefined {
  if (integration.status !== 'ACTIVE' && integration.status !== 'VALIDATING') return undefined;
  const validated = validatedSettingsOf(integration);
  return validated && targetFrom(integration, validated);
}

/**
 * The integration new work may use (an export, forwarding turned on or moved): present, ACTIVE
 * and in the cluster's region (docs/product-contract.md §3). Work already running follows workerTargetOf.
 */
export function requireUsableForNewWork(integration: Integration | undefined, clusterRegion: string): Integration {
  if (!integration) throw new NotFoundError('No such integration in this project.', 'INTEGRATION_NOT_FOUND');
  if (awaitsUpgradeRecheck(integration)) {
    throw new ConflictError(
      'INTEGRATION_NOT_ACTIVE',
      'The integration has not been validated since the service was upgraded: validate it again (POST ' +
        '.../integrations/{integrationId}/validate), or wait for the upgrade re-check, then try again.',
    );
  }
  if (integration.status !== 'ACTIVE') {
    throw new ConflictError(
      'INTEGRATION_NOT_ACTIVE',
      `The integration is ${integration.status}, not ACTIVE: finish its setup or validate it again (POST ` +
        `.../integrations/{integrationId}/validate).`,
    );
  }
  if (integration.region !== clusterRegion) {
    throw new UnprocessableError(
      'REGION_MISMATCH',
      `The integration's bucket is in ${integration.region} but the cluster runs in ${clusterRegion}: use an ` +
        `integration in ${clusterRegion}.`,
    );
  }
  return integration;
}
