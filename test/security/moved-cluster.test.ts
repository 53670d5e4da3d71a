/**
 * Attacker: the former owner of a cluster. The platform moved the cluster to another project
 * (`Cluster Upserted`), so its audit logs are another tenant's from then on. The former project
 * must stop receiving them at once, whatever forwarding run is under way at the move, and cannot
 * turn forwarding, exports or auto-export of the cluster on again.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '#shared/table/keys';
import { clearFaults, localStack, setFaults } from '../support/local-stack';
import { eventually, platformProject, platformTable, projectItems, publish } from '../support/platform';
import {
  customerObjects,
  expectedKey,
  forwardingPath,
  forwardingWorld,
  getForwarding,
  minutesAgo,
  pause,
  waitForObjects,
  writeAuditLog,
} from '../forwarding/support';
import { fullTenant, REGION } from './support/tenants';

describe('the former owner of a cluster that moved to another project', () => {
  afterEach(async () => {
    await clearFaults();
  });

  /**
   * Moves the cluster to the project. Event times have second resolution and a tie goes to the
   * greater event id, so the move is dated a second ahead: the cluster's first event may have been
   * sent within the same second, and a move that loses the tie changes nothing.
   */
  const moveCluster = (clusterId: string, projectId: string) =>
    publish(
      'platform.clusters',
      'Cluster Upserted',
      { projectId, clusterId, region: REGION, tier: 'dedicated' },
      { time: new Date(Date.now() + 1_000) },
    );

  it(
    'stops receiving its audit logs: the move turns forwarding off at once and releases the integration, ' +
      "the new owner's files are not delivered, and it cannot be turned on again",
    async () => {
      const former = await fullTenant();
      const path = `/v1/projects/${former.project.projectId}/clusters/${former.clusterId}`;
      await writeAuditLog(former.clusterId, new Date(Date.now() - 60_000));
      await waitForObjects(former.accountId, former.integration.bucketName, `audit/${former.clusterId}/`, 1);

      const newOwner = await platformProject();
      await moveCluster(former.clusterId, newOwner.projectId);
      // The move asks for a catch-up run of the former forwarding, which finds the cluster owned
      // elsewhere (well before the schedule's reconciliation).
      await eventually(
        async () => (await former.project.client.get(`${path}/audit-log-forwarding`)).status === 404,
        'forwarding of the moved cluster was not turned off',
        15_000,
      );
      expect(await projectItems(newOwner.projectId)).toEqual(
        expect.arrayContaining([expect.objectContaining({ sk: `CLUSTER#${former.clusterId}` })]),
      );
      // The new owner's files: their events resolve the cluster's owner now, which forwards nothing.
      await writeAuditLog(former.clusterId, new Date(Date.now() - 60_000));
      await writeAuditLog(former.clusterId, new Date(Date.now() - 30_000));

      for (const answer of [
        await former.project.client.put(`${path}/audit-log-forwarding`, {
          integrationId: former.integration.integrationId,
          directory: 'audit',
        }),
        await former.project.client.put(`${path}/backup-export-rule`, {
          integrationId: former.integration.integrationId,
          directory: 'auto',
        }),
        await former.project.client.post(`${path}/backups/${former.backupId}/export`, {
          integrationId: former.integration.integrationId,
          directory: 'late',
        }),
      ]) {
        expect(answer.status, answer.text).toBe(404);
      }
      // Their events and two scheduler ticks later (every 2 s in tests), nothing more arrived.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(
        await customerObjects(former.accountId, former.integration.bucketName, `audit/${former.clusterId}/`),
      ).toHaveLength(1);
      // Nothing holds the integration any more (its one export failed long ago): it can be deleted.
      await eventually(
        async () =>
          (await former.project.client.delete(`${former.project.base}/${former.integration.integrationId}`)).status ===
          204,
        'the integration stayed in use',
      );
    },
  );

  it('turns forwarding off at once even while a catch-up run that began before the move holds its lease', async () => {
    const former = await fullTenant();
    const path = `/v1/projects/${former.project.projectId}/clusters/${former.clusterId}/audit-log-forwarding`;
    // A run under way (the schedule's reconciliation, every 2 s here) holds the lease for minutes.
    await platformTable().send(
      new UpdateCommand({
        TableName: localStack().environment.TABLE_NAME,
        Key: keys.forwarding(former.project.projectId, former.clusterId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ExpressionAttributeValues: { ':owner': 'a-run-under-way', ':until': Date.now() + 10 * 60_000 },
      }),
    );
    const newOwner = await platformProject();
    await moveCluster(former.clusterId, newOwner.projectId);
    await eventually(
      async () => (await former.project.client.get(path)).status === 404,
      'forwarding of the moved cluster stayed on behind the lease',
      15_000,
    );
  });

  it('receives none of the files a catch-up run had not started when the cluster moved', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('moved-mid-run');
    const path = forwardingPath(project.projectId, clusterId);
    const pendingSince = async () => (await getForwarding(project, clusterId)).pendingSince;
    // Paused, events only mark files pending: one of the hour in progress, then one of an hour before.
    expect((await project.client.patch(path, { paused: true })).status).toBe(200);
    const current = await writeAuditLog(clusterId, new Date());
    await eventually(async () => (await pendingSince()) === current.writtenAt.toISOString(), 'current file pending');
    const earlier = await writeAuditLog(clusterId, minutesAgo(70));
    await eventually(async () => (await pendingSince()) === earlier.writtenAt.toISOString(), 'earlier file pending');

    // Each write to the customer's bucket is carried out at once and answered 10 s later: the catch-up
    // run that resuming asks for is still delivering the earlier file when the cluster moves.
    await setFaults({
      errorRate: 0,
      latencyMs: 10_000,
      timing: 'after',
      buckets: [bucket],
      actions: ['s3:PutObject'],
    });
    expect((await project.client.patch(path, { paused: false })).status).toBe(200);
    const [first] = await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1, 20_000);
    const answered = Date.now() + 10_000;
    expect(first?.key).toBe(expectedKey('moved-mid-run', clusterId, earlier));
    await moveCluster(clusterId, (await platformProject()).projectId);
    await eventually(async () => (await project.client.get(path)).status === 404, 'forwarding stayed on', 8_000);

    // The run hears its write answered, lists the hour in progress, and must find the cluster gone.
    await pause(answered + 4_000 - Date.now());
    expect((await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).map((o) => o.key)).toEqual([
      first?.key,
    ]);
  });
});
