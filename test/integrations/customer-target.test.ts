/**
 * The one mapping from an integration to the settings that reach its bucket: validation tests the
 * candidate, workers use only what validation proved, and integrations stored before snapshots
 * existed (proved by the old external-ID probe) wait for the upgrade re-check.
 */
import { describe, expect, it } from 'vitest';
import {
  awaitsUpgradeRecheck,
  candidateTargetOf,
  changesAwaitingValidation,
  keepsProvedSettingsOnFailure,
  requireUsableForNewWork,
  testedTargetOf,
  validatedSettingsFor,
  workerTargetOf,
} from '#shared/integrations/customer-target';
import type { Integration } from '#shared/integrations/integration';

const base: Integration = {
  integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
  projectId: 'proj-1',
  name: 'n',
  region: 'us-east-1',
  bucketName: 'bucket',
  externalId: 's3i-current',
  status: 'ACTIVE',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
  createdBy: 'u',
};
const proved = {
  roleArn: 'arn:aws:iam::222222222222:role/old',
  externalId: 's3i-current',
  bucketOwnerAccountId: '222222222222',
  at: '2026-01-02T00:00:00Z',
};

describe('customer targets', () => {
  it('validation tests the candidate role, with its account as the bucket owner', () => {
    const integration = {
      ...base,
      status: 'VALIDATING' as const,
      roleArn: 'arn:aws:iam::333333333333:role/new',
      kmsKeyArn: 'arn:aws:kms:us-east-1:333333333333:key/k',
      validated: proved,
    };
    expect(candidateTargetOf(integration)).toEqual({
      integrationId: base.integrationId,
      roleArn: 'arn:aws:iam::333333333333:role/new',
      externalId: 's3i-current',
      bucketName: 'bucket',
      bucketOwnerAccountId: '333333333333',
      region: 'us-east-1',
      kmsKeyArn: 'arn:aws:kms:us-east-1:333333333333:key/k',
    });
    expect(validatedSettingsFor(candidateTargetOf(integration), 'now')).toMatchObject({
      roleArn: integration.roleArn,
      bucketOwnerAccountId: '333333333333',
      at: 'now',
    });
  });

  it('workers use the proved settings while a new role is pending, never the pending one', () => {
    const pending = {
      ...base,
      status: 'VALIDATING' as const,
      roleArn: 'arn:aws:iam::333333333333:role/new',
      validated: proved,
    };
    expect(workerTargetOf(pending)).toMatchObject({ roleArn: proved.roleArn, bucketOwnerAccountId: '222222222222' });
    expect(workerTargetOf({ ...pending, status: 'ACTIVE' })).toMatchObject({ roleArn: proved.roleArn });
  });

  it('nothing proved, nothing used: a first validation, FAILED and AWAITING_ROLE integrations carry no work', () => {
    expect(
      workerTargetOf({ ...base, status: 'VALIDATING', roleArn: 'arn:aws:iam::333333333333:role/new' }),
    ).toBeUndefined();
    expect(workerTargetOf({ ...base, status: 'FAILED', roleArn: proved.roleArn, validated: proved })).toBeUndefined();
    expect(workerTargetOf({ ...base, status: 'AWAITING_ROLE' })).toBeUndefined();
  });

  it('an ACTIVE integration stored before snapshots (the old probe) carries no work; the re-check tests it', () => {
    const legacy = { ...base, roleArn: 'arn:aws:iam::444444444444:role/legacy' };
    expect(awaitsUpgradeRecheck(legacy)).toBe(true);
    expect(workerTargetOf(legacy)).toBeUndefined();
    expect(changesAwaitingValidation(legacy)).toEqual([]);
    expect(testedTargetOf(legacy, 'recheck')).toMatchObject({
      roleArn: 'arn:aws:iam::444444444444:role/legacy',
      bucketOwnerAccountId: '444444444444',
    });
    expect(awaitsUpgradeRecheck({ ...legacy, validated: proved })).toBe(false);
  });

  it(
    'a new KMS key awaits validation: workers and the re-check keep the proved key, a validation tests the new ' +
      'one',
    () => {
      const newKey = 'arn:aws:kms:us-east-1:222222222222:key/new';
      const edited = { ...base, roleArn: proved.roleArn, kmsKeyArn: newKey, validated: proved };
      expect(changesAwaitingValidation(edited)).toEqual(['kmsKeyArn']);
      expect(workerTargetOf(edited)).not.toHaveProperty('kmsKeyArn');
      expect(testedTargetOf(edited, 'recheck')).not.toHaveProperty('kmsKeyArn');
      expect(testedTargetOf(edited, 'validate')).toMatchObject({ kmsKeyArn: newKey });
      // A failed validation of the new key leaves the proved settings serving; one of a new role does not.
      expect(keepsProvedSettingsOnFailure({ ...edited, status: 'VALIDATING' })).toBe(true);
      expect(keepsProvedSettingsOnFailure({ ...edited, roleArn: 'arn:aws:iam::333333333333:role/new' })).toBe(false);
      expect(keepsProvedSettingsOnFailure({ ...base, roleArn: proved.roleArn, validated: proved })).toBe(false);
      expect(
        changesAwaitingValidation({ ...base, status: 'FAILED', roleArn: proved.roleArn, kmsKeyArn: newKey }),
      ).toEqual([]);
    },
  );

  it(
    'new work (an export, forwarding) takes only an ACTIVE integration in the cluster region, even while running ' +
      'work goes on',
    () => {
      const active = { ...base, roleArn: proved.roleArn, validated: proved };
      expect(requireUsableForNewWork(active, 'us-east-1')).toBe(active);
      const refusal = (integration: Integration | undefined, region = 'us-east-1') => {
        try {
          requireUsableForNewWork(integration, region);
        } catch (error) {
          return error as { statusCode: number; code: string };
        }
        return undefined;
      };
      expect(refusal(undefined)).toMatchObject({ statusCode: 404, code: 'INTEGRATION_NOT_FOUND' });
      // A pending role change: its old role still serves running work, but starts nothing new.
      const pending = { ...active, status: 'VALIDATING' as const };
      expect(workerTargetOf(pending)).toBeDefined();
      expect(refusal(pending)).toMatchObject({ statusCode: 409, code: 'INTEGRATION_NOT_ACTIVE' });
      expect(refusal(active, 'eu-west-1')).toMatchObject({ statusCode: 422, code: 'REGION_MISMATCH' });
    },
  );
});
