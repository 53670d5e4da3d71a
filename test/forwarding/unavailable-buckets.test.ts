/**
 * Customer buckets that fail or hang, through the running stack (schedule every 2 s, SQS worker).
 * Both cases inject faults at the local endpoint for one bucket only; they share this file so
 * that they run one after the other (fault settings are global to the endpoint).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as scheduleAuditLogForwarding } from '#functions/schedule-audit-log-forwarding/handler';
import { clearFaults, setFaults } from '../support/local-stack';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  activeIntegration,
  customerObjects,
  enableForwarding,
  expectedKey,
  getForwarding,
  getIntegration,
  lambdaContext,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
} from './support';
import { actAsFunctions } from '../support/function-roles';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['scheduleAuditLogForwarding']);

const minutesAgo = (minutes: number, plusSeconds = 0) => new Date(Date.now() - minutes * 60_000 + plusSeconds * 1000);

describe('forwarding to unavailable customer buckets', { timeout: 180_000 }, () => {
  afterEach(async () => {
    await clearFaults();
  });

  it('keeps the files while the bucket fails for several runs, then delivers each of them once', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const bucket = customer.integration.bucketName;
    const directory = 'down';
    const enabled = await enableForwarding(project, clusterId, customer.integration.integrationId, directory);
    const files: AuditLogFile[] = [await writeAuditLog(clusterId, minutesAgo(10))];
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1);

    await clearFaults();
    await setFaults({
      errorRate: 1,
      mode: 'internal-error',
      latencyMs: 0,
      services: ['s3'],
      buckets: [bucket],
      actions: [],
    });
    for (let second = 1; second <= 5; second += 1) files.push(await writeAuditLog(clusterId, minutesAgo(9, second)));

    const failing = await eventually(
      async () => {
        const view = await getForwarding(project, clusterId);
        return view.health.consecutiveFailures >= 3 ? view : undefined;
      },
      'three failed runs',
      45_000,
    );
    expect(failing.health.lastError?.code).toBe('DELIVERY_DELAYED');
    expect(failing.health.lastError?.message).toContain('StatusCode: 500');
    expect(failing.health.lagSeconds).toBeGreaterThanOrEqual(9 * 60 - 5);
    const integration = await eventually(
      async () => {
        const view = await getIntegration(project, customer.integration.integrationId);
        return (view.health?.consecutiveFailures ?? 0) >= 3 ? view : undefined;
      },
      'the failures rolled up to the integration',
      30_000,
    );
    expect(integration.status).toBe('ACTIVE'); // a failing bucket is not a revoked access
    expect(integration.health?.lastError?.code).toBe('DELIVERY_DELAYED');
    expect(integration.health?.lastError?.message).toContain(`cluster ${clusterId}`);

    await clearFaults();
    const delivered = await waitForObjects(
      customer.accountId,
      bucket,
      enabled.destination.prefix,
      files.length,
      30_000,
    );
    expect(delivered.map((object) => object.key).sort()).toEqual(
      files.map((file) => expectedKey(directory, clusterId, file)).sort(),
    );
    const recovered = await eventually(
      async () => {
        const view = await getForwarding(project, clusterId);
        return view.health.consecutiveFailures === 0 ? view : undefined;
      },
      'a successful run after the bucket came back',
      30_000,
    );
    expect(recovered.health.lagSeconds).toBe(0);
    expect(recovered.health.lastError?.code).toBe('DELIVERY_DELAYED'); // kept: it says what happened
  });

  it('serves 50 clusters in one run while one bucket hangs', async () => {
    const project = await platformProject();
    const healthy = await activeIntegration(project);
    const broken = await activeIntegration(project);
    const clusters = await Promise.all(Array.from({ length: 50 }, () => platformCluster(project)));
    const [brokenCluster, ...healthyClusters] = clusters as [string, ...string[]];
    await enableForwarding(project, brokenCluster, broken.integration.integrationId, 'fan-out');
    for (const clusterId of healthyClusters)
      await enableForwarding(project, clusterId, healthy.integration.integrationId, 'fan-out');

    await clearFaults();
    // Every request to the broken bucket hangs 40 s and then fails; the worker gives a file up after 30 s.
    await setFaults({
      errorRate: 1,
      mode: 'internal-error',
      latencyMs: 40_000,
      services: ['s3'],
      buckets: [broken.integration.bucketName],
      actions: [],
    });
    await Promise.all(clusters.map((clusterId) => writeAuditLog(clusterId, minutesAgo(5))));

    const started = Date.now();
    const tickEvent = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../events/aws.events/scheduled-forwarding-tick.json'), 'utf8'),
    ) as ScheduledEvent;
    const tick = await scheduleAuditLogForwarding({ ...tickEvent, time: new Date().toISOString() }, lambdaContext());
    expect(tick.failed).toBe(0);
    expect(tick.clusters).toBeGreaterThanOrEqual(50);

    await eventually(
      async () => {
        const counts = await Promise.all(
          healthyClusters.map(
            async (clusterId) =>
              (await customerObjects(healthy.accountId, healthy.integration.bucketName, `fan-out/${clusterId}/audit/`))
                .length,
          ),
        );
        return counts.every((count) => count === 1);
      },
      'all 49 healthy clusters delivered',
      25_000,
    );
    const elapsed = Date.now() - started;
    // Before the broken bucket's upload is even given up (30 s): nobody waited for it.
    expect(elapsed).toBeLessThan(25_000);
    console.log(`49 healthy clusters delivered ${elapsed} ms after the tick, one bucket hanging`);

    // The hanging upload is given up after the worker's per-file timeout (30 s), not the run's.
    const brokenView = await eventually(
      async () => {
        const view = await getForwarding(project, brokenCluster);
        return view.health.consecutiveFailures >= 1 ? view : undefined;
      },
      'the hanging bucket recorded as failing',
      60_000,
    );
    expect(brokenView.health.lastError?.code).toBe('DELIVERY_DELAYED');
    await clearFaults();
    await waitForObjects(broken.accountId, broken.integration.bucketName, `fan-out/${brokenCluster}/audit/`, 1, 60_000);
  }, 180_000);
});
