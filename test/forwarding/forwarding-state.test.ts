/**
 * The guarantees the forwarding's state writes give, on DynamoDB Local: one catch-up lease holder
 * at a time; pending files that a finishing catch-up run cannot drop (the mark handshake); no
 * writes for a forwarding that was turned off and on again; a digest chain head that only moves
 * from the value its writer read; an integration health roll-up that never overwrites a newer
 * summary; and a replay job whose every change is saved under its slice's lease.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { claimCatchUpLease } from '#shared/forwarding/delivery/catch-up-lease';
import { ClusterHealth } from '#shared/forwarding/delivery/cluster-health';
import { advancePending, clearPending, markPending } from '#shared/forwarding/delivery/pending-files';
import { HOUR_MS, hourStart } from '#shared/forwarding/audit-log-keys';
import type { DeliveredFile } from '#shared/forwarding/delivery/file-delivery';
import { initialHealth, newDigestChain, shardOf, type Forwarding } from '#shared/forwarding/forwarding';
import {
  deleteForwarding,
  loadForwarding,
  insertForwarding,
  normalizeForwarding,
} from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';
import { ReplayJob } from '#shared/forwarding/replay/replay-job';
import {
  claimReplay,
  finishReplay,
  insertReplay,
  loadReplay,
  MAX_FAILED_SLICES,
  type Replay,
} from '#shared/forwarding/replay/replay-store';
import { loadIntegration } from '#shared/integrations/integration-store';
import { keys } from '#shared/table/keys';

const table = () => process.env.TABLE_NAME as string;

/**
 * An ACTIVE integration item as validation leaves it, and forwarding of one cluster through it.
 * The forwarding stays out of the ForwardingIndex (no shard attribute), so the running stack's
 * scheduler does not send its own runs into these tests.
 */
async function forwardingFixture(): Promise<Forwarding> {
  const projectId = `proj-${randomBytes(5).toString('hex')}`;
  const integrationId = `integ-${randomBytes(10).toString('hex').slice(0, 20)}`;
  const now = new Date().toISOString();
  await dynamodb.send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.integration(projectId, integrationId),
        projectId,
        integrationId,
        status: 'ACTIVE',
        region: 'us-east-1',
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  const clusterId = `cl-${randomBytes(5).toString('hex')}`;
  const forwarding: Forwarding = {
    projectId,
    clusterId,
    integrationId,
    directory: 'logs',
    generation: randomUUID(),
    forwardingShard: shardOf(clusterId),
    enabledAt: now,
    enabledBy: 'test',
    updatedAt: now,
    updatedBy: 'test',
    health: initialHealth(),
    digests: newDigestChain(now),
  };
  const { forwardingShard: _unindexed, ...stored } = forwarding;
  await insertForwarding(stored as Forwarding);
  return forwarding;
}

describe('forwarding state', () => {
  it('lets one catch-up run hold the lease at a time, and the next take over once it expired', async () => {
    const forwarding = await forwardingFixture();
    const now = Date.now();
    expect(await claimCatchUpLease(forwarding, 'run-a', now, 60_000)).toBeDefined();
    expect(await claimCatchUpLease(forwarding, 'run-b', now + 1_000, 60_000)).toBeUndefined();
    const taken = await claimCatchUpLease(forwarding, 'run-b', now + 61_000, 60_000);
    expect(taken?.leaseOwner).toBe('run-b');
  });

  it(
    'keeps the oldest pending file, ' +
      'and lets a catch-up run clear it only if nothing was marked since it read the mark',
    async () => {
      const forwarding = await forwardingFixture();
      const now = Date.now();
      expect(await markPending(forwarding, new Date('2026-11-24T10:00:05Z'), now)).toEqual({
        recorded: true,
        requestCatchUp: true,
      });
      // An older file moves pendingSince back, a newer one does not; a request within seconds asks for no second run.
      expect(await markPending(forwarding, new Date('2026-11-24T09:59:00Z'), now + 1_000)).toEqual({
        recorded: true,
        requestCatchUp: false,
      });
      await markPending(forwarding, new Date('2026-11-24T10:30:00Z'), now + 2_000);
      const read = await claimCatchUpLease(forwarding, 'run-a', now, 60_000);
      expect(read).toMatchObject({ pendingSince: '2026-11-24T09:59:00.000Z', pendingMark: 3 });
      expect(read?.health.lagSeconds).toBeGreaterThan(0);

      const run = { ...forwarding, leaseOwner: 'run-a', mark: read?.pendingMark };
      await markPending(forwarding, new Date('2026-11-24T11:00:00Z'), now + 10_000); // while the run delivers
      expect(await clearPending(run)).toBe(false);
      expect(await advancePending(run, new Date('2026-11-24T10:10:00Z'))).toBe(false);
      expect((await loadForwarding(forwarding.projectId, forwarding.clusterId))?.pendingSince).toBe(
        '2026-11-24T09:59:00.000Z',
      );
      const again = await loadForwarding(forwarding.projectId, forwarding.clusterId);
      expect(await clearPending({ ...run, mark: again?.pendingMark })).toBe(true);
      expect((await loadForwarding(forwarding.projectId, forwarding.clusterId))?.pendingSince).toBeUndefined();
      // Another run (not the lease holder) clears nothing.
      await markPending(forwarding, new Date('2026-11-24T12:00:00Z'), now + 20_000);
      const latest = await loadForwarding(forwarding.projectId, forwarding.clusterId);
      expect(await clearPending({ ...run, leaseOwner: 'run-z', mark: latest?.pendingMark })).toBe(false);
    },
  );

  it('writes nothing for a forwarding that was turned off and on again while a run was going', async () => {
    const forwarding = await forwardingFixture();
    await claimCatchUpLease(forwarding, 'run-old', Date.now(), 60_000);
    await deleteForwarding(forwarding);
    const { forwardingShard: _unindexed, ...again } = forwarding;
    await insertForwarding({ ...again, generation: randomUUID() } as Forwarding);
    expect(await markPending(forwarding, new Date(), Date.now())).toEqual({ recorded: false, requestCatchUp: false });
    expect(await new ClusterHealth(forwarding).save({ lease: { owner: 'run-old', release: true } })).toBe(false);
    const stored = await loadForwarding(forwarding.projectId, forwarding.clusterId);
    expect(stored?.pendingSince).toBeUndefined();
    expect(stored?.health).toEqual({ consecutiveFailures: 0 });
  });

  it('runs one replay per forwarding at a time', async () => {
    const forwarding = await forwardingFixture();
    const now = new Date().toISOString();
    const replay = (replayId: string): Replay => ({
      replayId,
      projectId: forwarding.projectId,
      clusterId: forwarding.clusterId,
      generation: forwarding.generation,
      status: 'RUNNING',
      from: now,
      to: now,
      nextHour: now,
      progress: { hoursTotal: 1, hoursDone: 0, filesDelivered: 0, filesAlreadyPresent: 0 },
      failedSlices: 0,
      createdAt: now,
      updatedAt: now,
      createdBy: 'test',
    });
    await insertReplay(forwarding, replay('replay-aaaaaaaaaaaaaaaaaaaa'));
    await expect(insertReplay(forwarding, replay('replay-bbbbbbbbbbbbbbbbbbbb'))).rejects.toMatchObject({
      code: 'REPLAY_RUNNING',
    });
    const claimed = await claimReplay(
      { ...forwarding, replayId: 'replay-aaaaaaaaaaaaaaaaaaaa' },
      'slice',
      Date.now(),
      30_000,
    );
    await finishReplay(claimed!, 'slice', { status: 'SUCCEEDED' });
    await expect(insertReplay(forwarding, replay('replay-bbbbbbbbbbbbbbbbbbbb'))).resolves.toBeUndefined();
  });

  it("saves a replay job's hours, failed slices and end under the lease of the slice that holds it", async () => {
    const forwarding = await forwardingFixture();
    const first = hourStart(Date.now() - 2 * HOUR_MS);
    const second = new Date(first.getTime() + HOUR_MS);
    const ref = { ...forwarding, replayId: 'replay-cccccccccccccccccccc' };
    const now = new Date().toISOString();
    await insertReplay(forwarding, {
      replayId: ref.replayId,
      projectId: forwarding.projectId,
      clusterId: forwarding.clusterId,
      generation: forwarding.generation,
      status: 'RUNNING',
      from: first.toISOString(),
      to: new Date(second.getTime() + HOUR_MS).toISOString(),
      nextHour: first.toISOString(),
      progress: { hoursTotal: 2, hoursDone: 0, filesDelivered: 0, filesAlreadyPresent: 0 },
      failedSlices: 0,
      createdAt: now,
      updatedAt: now,
      createdBy: 'test',
    });
    const stored = () => loadReplay(ref.projectId, ref.clusterId, ref.replayId);
    const slice = (await ReplayJob.claim(ref, 60_000)) as ReplayJob;
    expect(await ReplayJob.claim(ref, 60_000)).toBeUndefined();
    expect([...slice.hoursLeft()]).toEqual([first, second]);

    const file = (outcome: DeliveredFile['outcome']) => ({ outcome }) as DeliveredFile;
    expect(await slice.hourDone(first, [file('written'), file('written'), file('alreadyPresent')])).toBe(true);
    expect(await stored()).toMatchObject({
      nextHour: second.toISOString(),
      progress: { hoursDone: 1, filesDelivered: 2, filesAlreadyPresent: 1 },
      leaseOwner: expect.any(String),
    });
    expect(slice.sliceFailed()).toBe(false);
    await slice.handOver();
    expect(await stored()).toMatchObject({ failedSlices: 1 });
    expect((await stored())?.leaseOwner).toBeUndefined();

    // The next slice starts from the hour left, and fails the job at the limit of failed slices in a row.
    const next = (await ReplayJob.claim(ref, 60_000)) as ReplayJob;
    expect([...next.hoursLeft()]).toEqual([second]);
    expect(await slice.hourDone(second, [])).toBe(false); // the first slice's lease is gone
    const verdicts = Array.from({ length: MAX_FAILED_SLICES - 1 }, () => next.sliceFailed());
    expect(verdicts.indexOf(true)).toBe(MAX_FAILED_SLICES - 2);
    await next.failed({ code: 'BUCKET_ACCESS_DENIED', message: 'denied' });
    expect(await stored()).toMatchObject({ status: 'FAILED', error: { code: 'BUCKET_ACCESS_DENIED' } });
    expect((await loadForwarding(forwarding.projectId, forwarding.clusterId))?.replayRunning).toBeUndefined();
  });

  it('reads an item of the polling design as pending from its cursor, with a digest chain from its enablement', () => {
    const legacy = normalizeForwarding({
      pk: 'x',
      sk: 'y',
      projectId: 'p',
      clusterId: 'c-1',
      enabledAt: '2026-11-24T08:30:00.000Z',
      cursor: 'c-1/2026/11/24/10/20261124T101502Z-a.jsonl',
      health: initialHealth(),
    });
    expect(legacy).toMatchObject({
      pendingSince: '2026-11-24T10:15:02.000Z',
      digests: { from: '2026-11-24T08:00:00.000Z' },
    });
    expect(legacy).not.toHaveProperty('cursor');
  });

  it('rolls health up to the integration without losing concurrent updates', async () => {
    const forwarding = await forwardingFixture();
    const health = new ClusterHealth(forwarding);
    health.failed({ code: 'DELIVERY_DELAYED', message: 'slow' }, Date.parse('2026-11-24T10:00:00.000Z'));
    health.failed({ code: 'DELIVERY_DELAYED', message: 'slow' }, Date.parse('2026-11-24T10:00:00.000Z'));
    health.failed({ code: 'DELIVERY_DELAYED', message: 'slow' }, Date.parse('2026-11-24T10:00:00.000Z'));
    health.pending(new Date(Date.now() - 120_000));
    expect(await health.save()).toBe(true);
    await Promise.all([1, 2, 3, 4].map(() => rollUpIntegrationHealth(forwarding.projectId, forwarding.integrationId)));
    const integration = await loadIntegration(forwarding.projectId, forwarding.integrationId);
    expect(integration?.health).toEqual({
      consecutiveFailures: 3,
      lagSeconds: 120,
      lastError: {
        code: 'DELIVERY_DELAYED',
        message: `audit-log forwarding of cluster ${forwarding.clusterId}: slow`,
        at: '2026-11-24T10:00:00.000Z',
      },
    });
  });
});
