/** What a successful validation run does to a rotation: switch to the new ID, retire the old one once refused. */
import { describe, expect, it } from 'vitest';
import type { Integration } from '#shared/integrations/integration';
import { oldIdToProbe, rotationAfterSuccess } from '#shared/validation/rotation-outcome';

const ref = {
  projectId: 'p',
  integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
  runId: 'integ-aaaaaaaaaaaaaaaaaaaa-run',
  mode: 'validate' as const,
};
const base = {
  integrationId: ref.integrationId,
  projectId: 'p',
  name: 'n',
  region: 'us-east-1',
  bucketName: 'b',
  status: 'VALIDATING',
  createdAt: '',
  updatedAt: '',
  createdBy: 'u',
} as const;
const pending: Integration = {
  ...base,
  externalId: 's3i-old',
  externalIdRotation: { status: 'PENDING', newExternalId: 's3i-new', oldExternalId: 's3i-old', startedAt: '' },
};

describe('a rotation after a successful run', () => {
  it('probes the old ID only when the run tests the new one', () => {
    expect(oldIdToProbe(pending, 's3i-new')).toBe('s3i-old');
    expect(oldIdToProbe(pending, 's3i-old')).toBeUndefined();
    expect(oldIdToProbe({ ...base, externalId: 's3i-x' }, 's3i-x')).toBeUndefined();
  });

  it('PENDING: switches to the new ID, and waits to retire the old one unless this run saw it refused', () => {
    expect(rotationAfterSuccess(ref, pending, 's3i-new')).toMatchObject({
      set: ['externalId = :rotationNew', '#rotation.#rotationStatus = :retiring'],
      remove: [],
    });
    expect(rotationAfterSuccess(ref, pending, 's3i-new').retires).toBeUndefined();
    const refused = { ...pending, externalIdRotation: { ...pending.externalIdRotation!, oldIdRefusedBy: ref.runId } };
    expect(rotationAfterSuccess(ref, refused, 's3i-new')).toMatchObject({
      set: ['externalId = :rotationNew'],
      remove: ['#rotation'],
      retires: 's3i-old',
    });
    // Refused in another (older) run proves nothing for this one.
    const older = {
      ...pending,
      externalIdRotation: { ...pending.externalIdRotation!, oldIdRefusedBy: 'integ-aaaaaaaaaaaaaaaaaaaa-older' },
    };
    expect(rotationAfterSuccess(ref, older, 's3i-new').retires).toBeUndefined();
  });

  it('RETIRING: ends only when this run saw the old ID refused; a run of the old ID changes nothing', () => {
    const retiring: Integration = {
      ...base,
      externalId: 's3i-new',
      externalIdRotation: { status: 'RETIRING', newExternalId: 's3i-new', oldExternalId: 's3i-old', startedAt: '' },
    };
    expect(rotationAfterSuccess(ref, retiring, 's3i-new')).toMatchObject({ set: [], remove: [], condition: '' });
    const refused = { ...retiring, externalIdRotation: { ...retiring.externalIdRotation!, oldIdRefusedBy: ref.runId } };
    expect(rotationAfterSuccess(ref, refused, 's3i-new')).toMatchObject({
      set: [],
      remove: ['#rotation'],
      retires: 's3i-old',
    });
    expect(rotationAfterSuccess(ref, pending, 's3i-old')).toMatchObject({ set: [], remove: [], condition: '' });
  });
});
