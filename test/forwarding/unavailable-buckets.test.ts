/**
 * A customer bucket that hangs holds up only its own cluster: the events of 49 other clusters are
 * delivered at once, and the hanging upload is given up after the per-file timeout and left
 * pending. Through the running stack; the fault is injected at the local endpoint for one bucket
 * (fault settings are global to the endpoint, so this file keeps to itself).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clearFaults, setFaults } from '../support/local-stack';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  activeIntegration,
  customerObjects,
  enableForwarding,
  getForwarding,
  waitForObjects,
  writeAuditLog,
} from './support';

describe('forwarding to a hanging customer bucket', { timeout: 180_000 }, () => {
  afterEach(async () => {
    await clearFaults();
  });

  it("delivers 49 clusters while the hanging bucket's upload is still under way", async () => {
    const project = await platformProject();
    const healthy = await activeIntegration(project);
    const broken = await activeIntegration(project);
    const clusters = await Promise.all(Array.from({ length: 50 }, () => platformCluster(project)));
    const [brokenCluster, ...healthyClusters] = clusters as [string, ...string[]];
    await enableForwarding(project, brokenCluster, broken.integration.integrationId, 'fan-out');
    for (const clusterId of healthyClusters)
      await enableForwarding(project, clusterId, healthy.integration.integrationId, 'fan-out');

    // Every request to the broken bucket hangs 40 s and then fails; a file is given up after 20 s.
    await setFaults({
      errorRate: 1,
      mode: 'internal-error',
      latencyMs: 40_000,
      services: ['s3'],
      buckets: [broken.integration.bucketName],
      actions: [],
    });
    const started = Date.now();
    await Promise.all(clusters.map((clusterId) => writeAuditLog(clusterId, new Date())));

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
      60_000,
    );
    const elapsed = Date.now() - started;
    // Before the broken bucket's upload was even given up (20 s): nobody waited for it.
    expect((await getForwarding(project, brokenCluster)).health.consecutiveFailures).toBe(0);
    console.log(`49 healthy clusters delivered ${elapsed} ms after the writes, one bucket hanging`);

    const brokenView = await eventually(
      async () => {
        const view = await getForwarding(project, brokenCluster);
        return view.health.consecutiveFailures >= 1 && view.pendingSince ? view : undefined;
      },
      'the hanging bucket recorded as failing, its file pending',
      60_000,
    );
    expect(brokenView.health.lastError?.code).toBe('DELIVERY_DELAYED');
    await clearFaults();
    await waitForObjects(broken.accountId, broken.integration.bucketName, `fan-out/${brokenCluster}/audit/`, 1, 60_000);
  }, 180_000);
});
