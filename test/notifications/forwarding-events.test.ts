/**
 * Forwarding's events (docs/notifications.md) from the stack's own forwarding runs, received
 * through a rule on the service's bus and a queue as a platform would receive them: a replay's
 * end, published once; and, when the customer revokes the role's permissions, the forwarding's
 * health turning FAILING and the integration FAILED with detectedBy forwarding.
 */
import { DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { ReplayView } from '#shared/forwarding/schemas';
import { NOTIFICATIONS } from '#shared/notifications/notifications';
import { clientsFor } from '../support/local-stack';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  activeIntegration,
  enableForwarding,
  forwardingPath,
  pause,
  waitForObjects,
  writeAuditLog,
} from '../forwarding/support';
import { about, subscribeToServiceEvents } from './event-queue';

const { received, eventsWhere } = subscribeToServiceEvents();

/** A cluster forwarding to an ACTIVE integration, with one file delivered (its health HEALTHY). */
async function forwardingOneFile(directory: string) {
  const project = await platformProject();
  const clusterId = await platformCluster(project);
  const customer = await activeIntegration(project);
  const { integrationId, bucketName } = customer.integration;
  const enabled = await enableForwarding(project, clusterId, integrationId, directory);
  await writeAuditLog(clusterId, new Date());
  await waitForObjects(customer.accountId, bucketName, enabled.destination.prefix, 1);
  return { project, clusterId, customer, integrationId, enabled };
}

describe('forwarding events on the service bus', { timeout: 120_000 }, () => {
  it('a replay that ends publishes Audit Log Replay Finished once', async () => {
    const { project, clusterId, integrationId, enabled } = await forwardingOneFile('replay-events');

    const path = `${forwardingPath(project.projectId, clusterId)}/replay`;
    const window = { from: enabled.enabledAt, to: new Date(Date.now() + 1000).toISOString() };
    const started = await project.client.post(path, window);
    expect(started.status, started.text).toBe(202);
    const { replayId } = started.json as ReplayView;
    const ended = await eventually(
      async () => {
        const view = (await project.client.get(`${path}/${replayId}`)).json as ReplayView;
        return view.status === 'RUNNING' ? undefined : view;
      },
      'the replay to finish',
      30_000,
    );
    expect(ended.status).toBe('SUCCEEDED');

    const ids = { projectId: project.projectId, integrationId, clusterId, replayId };
    const [event] = await eventsWhere(about('Audit Log Replay Finished', ids));
    expect(event?.detail).toMatchObject({ status: 'SUCCEEDED' });
    expect(event?.detail.code).toBeUndefined();
    expect(() => NOTIFICATIONS['Audit Log Replay Finished'].parse(event?.detail)).not.toThrow();
    await pause(1_000); // a second event would have arrived by now
    await eventsWhere(() => true); // reads what else came
    expect(received.filter(({ event: other }) => about('Audit Log Replay Finished', ids)(other))).toHaveLength(1);
  });

  it(
    'a forwarding run after the customer revoked access: health FAILING and the integration FAILED, ' +
      'detected by forwarding',
    async () => {
      const { project, clusterId, customer, integrationId } = await forwardingOneFile('revoked-events');

      const { iam } = clientsFor(customer.accountId);
      const roleName = customer.roleArn.split('/').at(-1) ?? '';
      const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      await iam.send(
        new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: AttachedPolicies[0]?.PolicyArn ?? '' }),
      );
      await writeAuditLog(clusterId, new Date());

      const ids = { projectId: project.projectId, integrationId };
      const [health] = await eventsWhere(
        about('Audit Log Forwarding Health Changed', { ...ids, clusterId, health: 'FAILING' }),
      );
      expect(health?.detail).toMatchObject({ previousHealth: 'HEALTHY', code: 'WRITE_ACCESS_DENIED' });
      const [failed] = await eventsWhere(about('Integration Status Changed', { ...ids, status: 'FAILED' }));
      expect(failed?.detail).toMatchObject({
        previousStatus: 'ACTIVE',
        detectedBy: 'forwarding',
        code: 'WRITE_ACCESS_DENIED',
        stage: 'WRITE_ACCESS',
      });
    },
  );
});
