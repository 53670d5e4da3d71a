/**
 * The guarantees the worker's state writes give, on DynamoDB Local: one lease holder at a time, a
 * cursor that only moves from the value its run saw (never backwards, never past an unconfirmed
 * file), no writes for a forwarding that was turned off and on again, and an integration health
 * roll-up that never overwrites a newer summary.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { initialHealth, shardOf, type Forwarding } from '#shared/forwarding/forwarding';
import { deleteForwarding, loadForwarding, insertForwarding } from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';
import { acquireLease, finishRun, moveCursor } from '#shared/forwarding/run-state-store';
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
  };
  const { forwardingShard: _unindexed, ...stored } = forwarding;
  await insertForwarding(stored as Forwarding);
  return forwarding;
}

describe('forwarding run state', () => {
  it('lets one run hold the lease at a time, and the next take over once it expired', async () => {
    const forwarding = await forwardingFixture();
    const now = Date.now();
    expect(await acquireLease(forwarding, 'run-a', now, 60_000)).toBeDefined();
    expect(await acquireLease(forwarding, 'run-b', now + 1_000, 60_000)).toBeUndefined();
    const taken = await acquireLease(forwarding, 'run-b', now + 61_000, 60_000);
    expect(taken?.leaseOwner).toBe('run-b');
  });

  it('moves the cursor only from the value the run saw, and only while the run holds the lease', async () => {
    const forwarding = await forwardingFixture();
    const runA = { ...forwarding, owner: 'run-a' };
    await acquireLease(forwarding, 'run-a', Date.now(), 60_000);
    expect(await moveCursor(runA, { from: undefined, to: 'k/0002' })).toBe(true);
    expect(await moveCursor(runA, { from: undefined, to: 'k/0003' })).toBe(false); // stale view
    expect(await moveCursor(runA, { from: 'k/0002', to: 'k/0004' })).toBe(true);

    // Run A stalls past its lease; run B takes over from the stored cursor.
    const runB = { ...forwarding, owner: 'run-b' };
    const seenByB = await acquireLease(forwarding, 'run-b', Date.now() + 120_000, 60_000);
    expect(seenByB?.cursor).toBe('k/0004');
    expect(await moveCursor(runA, { from: 'k/0004', to: 'k/0009' })).toBe(false);
    expect(await finishRun(runA, { consecutiveFailures: 9 })).toBe(false);
    expect(
      await moveCursor(runB, {
        from: 'k/0004',
        to: 'k/0005',
        delivered: { through: '2026-11-24T10:00:05.000Z', at: new Date().toISOString() },
      }),
    ).toBe(true);
    expect(await finishRun(runB, { consecutiveFailures: 0, lagSeconds: 0 })).toBe(true);

    const stored = await loadForwarding(forwarding.projectId, forwarding.clusterId);
    expect(stored).toMatchObject({
      cursor: 'k/0005',
      deliveredThrough: '2026-11-24T10:00:05.000Z',
      health: { consecutiveFailures: 0, lagSeconds: 0 },
    });
    expect(stored?.leaseOwner).toBeUndefined();
  });

  it('writes nothing for a forwarding that was turned off and on again while a run was going', async () => {
    const forwarding = await forwardingFixture();
    const run = { ...forwarding, owner: 'run-old' };
    await acquireLease(forwarding, 'run-old', Date.now(), 60_000);
    await deleteForwarding(forwarding);
    const { forwardingShard: _unindexed, ...again } = forwarding;
    await insertForwarding({ ...again, generation: randomUUID() } as Forwarding);
    expect(await moveCursor(run, { from: undefined, to: 'k/0001' })).toBe(false);
    expect(await finishRun(run, { consecutiveFailures: 1 })).toBe(false);
    expect((await loadForwarding(forwarding.projectId, forwarding.clusterId))?.cursor).toBeUndefined();
  });

  it('rolls health up to the integration without losing concurrent updates', async () => {
    const forwarding = await forwardingFixture();
    const run = { ...forwarding, owner: 'run-a' };
    await acquireLease(forwarding, 'run-a', Date.now(), 60_000);
    await finishRun(run, {
      consecutiveFailures: 3,
      lagSeconds: 120,
      lastError: { code: 'DELIVERY_DELAYED', message: 'slow', at: '2026-11-24T10:00:00.000Z' },
    });
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
