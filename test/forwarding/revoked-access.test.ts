/**
 * The customer revokes the role's permissions while forwarding runs: the integration becomes
 * FAILED with validation's code for it, its files stay pending (with a growing lag), and once the
 * customer fixes the policy and validates again (FAILED -> ACTIVE), every pending file is
 * delivered, oldest first, nothing lost.
 */
import { AttachRolePolicyCommand, DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/local-stack';
import { waitForResult } from '../support/customer';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  activeIntegration,
  customerObjects,
  enableForwarding,
  expectedKey,
  getForwarding,
  getIntegration,
  ledgerEntries,
  pause,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
} from './support';

describe('forwarding when the customer revokes access', { timeout: 180_000 }, () => {
  it(
    'marks the integration FAILED, pauses, ' + 'and catches up after the customer fixes it and validates again',
    async () => {
      const project = await platformProject();
      const clusterId = await platformCluster(project);
      const customer = await activeIntegration(project);
      const { integrationId, bucketName } = customer.integration;
      const directory = 'revoked';
      const enabled = await enableForwarding(project, clusterId, integrationId, directory);
      const files: AuditLogFile[] = [await writeAuditLog(clusterId, new Date(Date.now() - 10 * 60_000))];
      await waitForObjects(customer.accountId, bucketName, enabled.destination.prefix, 1);

      const { iam } = clientsFor(customer.accountId);
      const roleName = customer.roleArn.split('/').at(-1) ?? '';
      const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      const policyArn = AttachedPolicies[0]?.PolicyArn ?? '';
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
      for (let minute = 9; minute >= 7; minute -= 1)
        files.push(await writeAuditLog(clusterId, new Date(Date.now() - minute * 60_000)));

      const failed = await eventually(
        async () => {
          const view = await getIntegration(project, integrationId);
          return view.status === 'FAILED' ? view : undefined;
        },
        'the integration marked FAILED',
        30_000,
      );
      const stage = failed.validation?.stages.at(-1);
      expect(failed.validation?.runId.startsWith('forwarding-')).toBe(true);
      expect(stage).toMatchObject({ name: 'WRITE_ACCESS', status: 'FAILED', code: 'WRITE_ACCESS_DENIED' });
      expect(stage?.message).toContain('s3:PutObject');

      const paused = await getForwarding(project, clusterId);
      expect(paused.health.lastError?.code).toBe('WRITE_ACCESS_DENIED');
      expect(paused.health.consecutiveFailures).toBeGreaterThanOrEqual(1);
      await pause(5_000); // ticks of the schedule: forwarding skips the FAILED integration but keeps measuring
      expect(await customerObjects(customer.accountId, bucketName, enabled.destination.prefix)).toHaveLength(1);
      const stillPaused = await getForwarding(project, clusterId);
      expect(stillPaused.health.lagSeconds).toBeGreaterThanOrEqual(9 * 60);
      expect(stillPaused.pendingSince).toBe(files[1]?.writtenAt.toISOString());

      await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
      expect((await project.client.post(`${project.base}/${integrationId}/validate`)).status).toBe(202);
      expect((await waitForResult(project, integrationId)).status).toBe('ACTIVE');

      const delivered = await waitForObjects(customer.accountId, bucketName, enabled.destination.prefix, files.length);
      expect(delivered.map((object) => object.key).sort()).toEqual(
        files.map((file) => expectedKey(directory, clusterId, file)).sort(),
      );
      const caughtUp = await eventually(
        async () => {
          const view = await getForwarding(project, clusterId);
          return view.health.consecutiveFailures === 0 && view.health.lagSeconds === 0 ? view : undefined;
        },
        'a successful run after validation',
        30_000,
      );
      expect(caughtUp.pendingSince).toBeUndefined();
      const order = (await ledgerEntries(project.projectId, clusterId))
        .filter((entry) => entry.via === 'catch-up')
        .sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt));
      expect(order.map((entry) => entry.sourceKey)).toEqual(files.slice(1).map((file) => file.key));
    },
  );
});
