/**
 * The service's events (docs/notifications.md), end to end on the local stack: a rule on the
 * service's bus, made as a platform makes it (PutRule, PutTargets), sends them to an SQS queue this
 * test reads. Integration and export events come from the stack's own functions (validation, the
 * export worker); forwarding's from its one publishing call, run here with forwardAuditLogs' role.
 */
import { DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_SOURCE, NOTIFICATIONS } from '#shared/notifications/notifications';
import { publishForwardingHealth } from '#shared/notifications/publish';
import { clientsFor } from '../support/local-stack';
import { actAsFunctions } from '../support/function-roles';
import { waitForResult } from '../support/customer';
import { PLATFORM_ACCOUNT } from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import {
  announceBackup,
  exportWorld,
  finished,
  platformBackup,
  requestExport,
  waitForJob,
} from '../exports/support/export-stack';
import { about, subscribeToServiceEvents } from './event-queue';

await actAsFunctions(['forwardAuditLogs']);

const suffix = randomBytes(4).toString('hex');
const { received, eventsWhere } = subscribeToServiceEvents();

describe('status-change events on the service bus', () => {
  it(
    'an integration validated ACTIVE, an export SUCCEEDED, ' +
      'one FAILED on a role without its policy (the integration FAILED with the code), ' +
      'and a validation FAILED',
    async () => {
      const world = await exportWorld();
      const ids = { projectId: world.project.projectId, integrationId: world.integration.integrationId };
      const [active] = await eventsWhere(about('Integration Status Changed', { ...ids, status: 'ACTIVE' }));
      expect(active).toMatchObject({
        source: NOTIFICATION_SOURCE,
        account: PLATFORM_ACCOUNT,
        detail: { previousStatus: 'VALIDATING', detectedBy: 'validation' },
      });

      const backup = await platformBackup(world.clusterId, smallFiles('notify', 3));
      await announceBackup(world.project, world.clusterId, backup);
      const done = await waitForJob(world, await requestExport(world, backup, 'notify'), finished);
      expect(done.status).toBe('SUCCEEDED');
      await eventsWhere(
        about('Export Job Finished', {
          ...ids,
          jobId: done.jobId,
          status: 'SUCCEEDED',
          clusterId: world.clusterId,
          backupId: backup.backupId,
        }),
      );

      // The customer takes the role's policy away: the next export fails, and finds the integration broken.
      const { iam } = clientsFor(world.accountId);
      const roleName = world.roleArn.split('/').pop() ?? '';
      const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: AttachedPolicies[0]?.PolicyArn }));
      const failed = await waitForJob(world, await requestExport(world, backup, 'notify-again'), finished);
      expect(failed.status).toBe('FAILED');
      await eventsWhere(
        about('Export Job Finished', { ...ids, jobId: failed.jobId, status: 'FAILED', code: failed.error?.code }),
      );
      await eventsWhere(
        about('Integration Status Changed', {
          ...ids,
          status: 'FAILED',
          previousStatus: 'ACTIVE',
          detectedBy: 'export',
        }),
      );

      expect((await world.project.client.post(`${world.project.base}/${ids.integrationId}/validate`)).status).toBe(202);
      const view = await waitForResult(world.project, ids.integrationId);
      const stage = view.validation?.stages.at(-1);
      const [refused] = await eventsWhere(
        about('Integration Status Changed', { ...ids, status: 'FAILED', previousStatus: 'VALIDATING' }),
      );
      expect(refused?.detail).toMatchObject({ detectedBy: 'validation', code: stage?.code, stage: stage?.name });

      // Every event of this integration matches its documented schema, and none carries its external ID.
      const ours = received.filter(({ event }) => event.detail.integrationId === ids.integrationId);
      expect(ours.length).toBeGreaterThanOrEqual(5);
      for (const { event, body } of ours) {
        expect(() => NOTIFICATIONS[event['detail-type']].parse(event.detail)).not.toThrow();
        expect(body).not.toContain(world.integration.externalId);
      }
    },
    120_000,
  );

  it(
    'forwarding: an event when its health becomes FAILING, LAGGING or HEALTHY again, ' + 'none while it stays the same',
    async () => {
      const ref = {
        projectId: `proj-fwd-${suffix}`,
        clusterId: 'cl-notify',
        integrationId: 'integ-notifynotifynotifyno',
      };
      const healthy = { consecutiveFailures: 0, lagSeconds: 30 };
      const failing = {
        consecutiveFailures: 2,
        lagSeconds: 40,
        lastError: { code: 'BUCKET_ACCESS_DENIED', message: 'x', at: new Date().toISOString() },
      };
      await publishForwardingHealth(ref, healthy, failing);
      await publishForwardingHealth(ref, failing, { ...failing, consecutiveFailures: 3 });
      await publishForwardingHealth(ref, failing, { consecutiveFailures: 0, lagSeconds: 1_000 });
      await publishForwardingHealth(ref, { consecutiveFailures: 0, lagSeconds: 1_000 }, healthy);
      const events = await eventsWhere(about('Audit Log Forwarding Health Changed', { projectId: ref.projectId }), 3);
      expect(events.map((event) => [event.detail.previousHealth, event.detail.health, event.detail.code])).toEqual([
        ['HEALTHY', 'FAILING', 'BUCKET_ACCESS_DENIED'],
        ['FAILING', 'LAGGING', undefined],
        ['LAGGING', 'HEALTHY', undefined],
      ]);
      // The one that did not change the health sent nothing: give it the time the others took.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        (await eventsWhere(about('Audit Log Forwarding Health Changed', { projectId: ref.projectId }), 3)).length,
      ).toBe(3);
    },
  );
});

describe('docs/notifications.md', () => {
  it('names every detail type and every field of its detail', () => {
    const doc = readFileSync('docs/notifications.md', 'utf8');
    for (const [detailType, schema] of Object.entries(NOTIFICATIONS)) {
      expect(doc).toContain(`\`${detailType}\``);
      for (const field of Object.keys(schema.shape)) expect(doc, `${detailType}.${field}`).toContain(`\`${field}\``);
    }
  });
});
