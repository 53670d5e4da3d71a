/**
 * Files that could not be delivered when their event came stay pending, and catch-up runs deliver
 * them oldest first: after a pause, after the customer's bucket failed for a while, and (the
 * scheduler's reconciliation) when a file's event never came. Through the running stack, whose
 * schedule ticks every 2 s; one case runs the catch-up in-process.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { hourLabel } from '#shared/forwarding/audit-log-keys';
import { catchUp } from '#shared/forwarding/delivery/catch-up-run';
import { keys } from '#shared/table/keys';
import { clearFaults, clientsFor, setFaults } from '../support/local-stack';
import { eventually } from '../support/platform';
import {
  REGION,
  customerObjects,
  expectedKey,
  forwardingPath,
  getForwarding,
  ledgerEntries,
  minutesAgo,
  pause,
  versionCounts,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
  forwardingWorld,
} from './support';
import { actAsFunctions } from '../support/function-roles';

// The reconciliation case runs a catch-up here, as the stack runs it: as forwardAuditLogs's role.
await actAsFunctions(['forwardAuditLogs']);

/** The ledger's entries in the order their writes were confirmed. */
async function deliveryOrder(projectId: string, clusterId: string, count: number) {
  const entries = await eventually(async () => {
    const found = await ledgerEntries(projectId, clusterId);
    return found.length >= count ? found : undefined;
  }, `${count} ledger entries`);
  return entries.sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt));
}

describe('pending files and catch-up runs', { timeout: 180_000 }, () => {
  afterEach(async () => {
    await clearFaults();
  });

  it('delivers nothing while paused, and everything written meanwhile after resuming, oldest first', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('paused');
    const path = forwardingPath(project.projectId, clusterId);

    const paused = await project.client.patch(path, { paused: true });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.json).toMatchObject({ paused: true, pausedAt: expect.any(String) });
    const files: AuditLogFile[] = [];
    for (const minutes of [3, 1, 5, 2, 4]) files.push(await writeAuditLog(clusterId, minutesAgo(minutes)));
    await pause(5_000); // events, and two ticks of the schedule
    expect(await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).toEqual([]);
    const waiting = await getForwarding(project, clusterId);
    expect(waiting.pendingSince).toBe(files.map((file) => file.writtenAt.toISOString()).sort()[0]);
    expect(waiting.health.lagSeconds).toBeGreaterThanOrEqual(5 * 60 - 5);

    const resumed = await project.client.patch(path, { paused: false });
    expect(resumed.json).toMatchObject({ paused: false });
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, files.length, 20_000);
    const order = await deliveryOrder(project.projectId, clusterId, files.length);
    expect(order.map((entry) => entry.sourceKey)).toEqual(files.map((file) => file.key).sort());
    expect(order.every((entry) => entry.via === 'catch-up')).toBe(true);
    const caughtUp = await eventually(async () => {
      const view = await getForwarding(project, clusterId);
      return view.pendingSince === undefined && view.health.lagSeconds === 0 ? view : undefined;
    }, 'no file pending any more');
    expect(caughtUp.paused).toBe(false);
  });

  it('keeps the files while the bucket fails, then delivers each once, oldest first', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('down', { versioned: true });
    const first = await writeAuditLog(clusterId, minutesAgo(9));
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1, 10_000);

    await setFaults({
      errorRate: 1,
      mode: 'internal-error',
      latencyMs: 0,
      services: ['s3'],
      buckets: [bucket],
      actions: [],
    });
    // Written during the outage out of order, spanning several minutes of the platform's time.
    const files: AuditLogFile[] = [];
    for (const [minutes, seconds] of [
      [6, 0],
      [8, 30],
      [7, 0],
      [8, 0],
      [6, 30],
    ] as const)
      files.push(await writeAuditLog(clusterId, minutesAgo(minutes, seconds)));
    const failing = await eventually(
      async () => {
        const view = await getForwarding(project, clusterId);
        return view.health.consecutiveFailures >= 2 && view.pendingSince ? view : undefined;
      },
      'failed deliveries, files pending',
      45_000,
    );
    expect(failing.health.lastError?.code).toBe('DELIVERY_DELAYED');
    expect(failing.health.lastError?.message).toContain('StatusCode: 500');
    expect(failing.health.lagSeconds).toBeGreaterThanOrEqual(8 * 60);

    await clearFaults();
    const delivered = await waitForObjects(
      customer.accountId,
      bucket,
      enabled.destination.prefix,
      files.length + 1,
      30_000,
    );
    expect(delivered.map((object) => object.key).sort()).toEqual(
      [first, ...files].map((file) => expectedKey('down', clusterId, file)).sort(),
    );
    const order = (await deliveryOrder(project.projectId, clusterId, files.length + 1)).filter(
      (entry) => entry.sourceKey !== first.key,
    );
    expect(order.map((entry) => entry.sourceKey)).toEqual(files.map((file) => file.key).sort());
    expect([...(await versionCounts(customer.accountId, bucket, enabled.destination.prefix)).values()]).toEqual([
      1, 1, 1, 1, 1, 1,
    ]);
    const recovered = await eventually(
      async () => {
        const view = await getForwarding(project, clusterId);
        return view.health.consecutiveFailures === 0 && view.health.lagSeconds === 0 ? view : undefined;
      },
      'a good delivery after the bucket came back',
      30_000,
    );
    expect(recovered.health.lastError?.code).toBe('DELIVERY_DELAYED'); // kept: it says what happened
  });

  it('finds a file whose event never came when the reconciliation looks at its hour', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('missed');
    const file = await writeAuditLog(clusterId, minutesAgo(1));
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1, 10_000);
    // As if its event had been lost: no trace in the ledger, nothing in the customer's bucket.
    const [entry] = await eventually(async () => {
      const entries = await ledgerEntries(project.projectId, clusterId);
      return entries.length === 1 ? entries : undefined;
    }, 'the ledger entry');
    await dynamodb.send(
      new DeleteCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.deliveredFile(project.projectId, clusterId, hourLabel(Date.parse(entry!.deliveredAt)), file.key),
      }),
    );
    await clientsFor(customer.accountId, REGION).s3.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: expectedKey('missed', clusterId, file) }),
    );

    const outcome = await eventually(async () => {
      const run = await catchUp(
        { projectId: project.projectId, clusterId },
        {
          reason: 'reconcile',
          deadline: Date.now() + 20_000,
          leaseMs: 30_000,
          eventGraceSeconds: 0,
          fileTimeoutMs: 10_000,
        },
      );
      return run.status === 'NOT_RUN' ? undefined : run; // the stack's own run may hold the lease a moment
    }, 'a reconciliation run');
    expect(outcome).toMatchObject({ status: 'CAUGHT_UP', filesDelivered: 1 });
    expect(
      (await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).map((object) => object.key),
    ).toEqual([expectedKey('missed', clusterId, file)]);
    expect((await ledgerEntries(project.projectId, clusterId)).map((found) => found.via)).toEqual(['catch-up']);
  });
});
