/**
 * Attacker: a malicious (or careless) customer who changes their role after validation: takes its
 * permissions away during an export, or names a new role that validation has not proved yet. The
 * workers must never use the role more widely than validation proved: every session they take is
 * narrowed by a session policy, and a running export keeps the validated role and bucket owner.
 */
import { DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { beginValidation, loadIntegration } from '#shared/integrations/integration-store';
import { DENY_ALL_SESSION_POLICY } from '#shared/customer-bucket/session-policy';
import { assumeRoleCalls, clientsFor, uniqueAccountId } from '../support/local-stack';
import { createRole } from '../support/customer';
import { platformProject, type Project } from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import {
  announceBackup as announceFiles,
  exportWorld,
  finished,
  platformBackup,
  requestExport,
  storedJob,
  waitForJob,
} from '../exports/support/export-stack';
import { lambdaContext, runExportHandlersHere, sqsEvent, startInProcess } from '../exports/support/in-process';
import { PLATFORM_ROOT } from './support/customers';
import { activeIntegration } from './support/tenants';

// Export messages of the handlers run in this process are parked, so a test can run the worker itself.
const parked = await runExportHandlersHere(['runExportJob', 'startBackupExport', 'runValidationStage']);

let project: Project;
beforeAll(async () => {
  project = await platformProject();
});

describe('the role after validation', () => {
  it(
    'a 403 in the middle of an export is diagnosed with an AssumeRole narrowed by a session policy, never with the ' +
      'full role',
    async () => {
      const world = await exportWorld();
      const { iam } = clientsFor(world.accountId);
      const roleName = world.roleArn.split('/').pop() ?? '';
      const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      for (const policy of AttachedPolicies)
        await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
      const backup = await platformBackup(world.clusterId, smallFiles('diag', 2));
      await announceFiles(world.project, world.clusterId, backup);
      const jobId = await requestExport(world, backup, 'diagnosed');
      const job = await waitForJob(world, jobId, finished);
      expect(job).toMatchObject({ status: 'FAILED', error: { code: 'WRITE_ACCESS_DENIED' } });
      const calls = (await assumeRoleCalls(world.roleArn)).filter((call) => call.result === 'Granted');
      const checks = calls.filter((call) => call.roleSessionName.endsWith('-export-check'));
      expect(checks.length).toBeGreaterThan(0);
      // The diagnosis only asks whether STS still grants the role: its session may do nothing at all.
      for (const check of checks) expect(check.sessionPolicy).toEqual(JSON.parse(DENY_ALL_SESSION_POLICY));
      for (const call of calls)
        expect(call.sessionPolicy, `${call.roleSessionName} had no session policy`).toBeDefined();
    },
  );

  it('a customer with an ACTIVE integration gets exactly the probe-prefix session during validation', async () => {
    const { roleArn, integration } = await activeIntegration(project);
    const validation = (await assumeRoleCalls(roleArn)).filter((call) => call.externalId === integration.externalId);
    expect(validation.length).toBeGreaterThan(0);
    for (const call of validation)
      expect(JSON.stringify(call.sessionPolicy)).toContain(`.s3-integration-probe/${integration.integrationId}/`);
  });
});

describe('a role change that validation has not proved yet', () => {
  it('a running export keeps the validated role and bucket owner: it never assumes the pending role', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, smallFiles('pending', 3));
    await announceFiles(world.project, world.clusterId, backup);
    // Started in this process: its message is parked, so the export has not run yet.
    const sentBefore = parked.sent.length;
    const jobId = await startInProcess(world, backup, 'pending');

    // The customer names a new role in another account, which trusts the platform without any
    // external ID: validation would refuse it, and while that validation runs, it is only pending.
    const pending = await createRole(uniqueAccountId(), {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: PLATFORM_ROOT }, Action: 'sts:AssumeRole' }],
      },
      iamPolicy: world.created.setup.iamPolicy,
    });
    const integration = await loadIntegration(world.project.projectId, world.integration.integrationId);
    if (!integration) throw new Error('integration gone');
    const runId = `${integration.integrationId}-pending-${randomBytes(3).toString('hex')}`;
    const now = new Date().toISOString();
    expect(await beginValidation(integration, { runId, startedAt: now, roleArn: pending, staleBefore: now })).toEqual({
      began: true,
    });

    const message = parked.sent.slice(sentBefore).find((body) => body.includes(jobId));
    expect(message).toBeDefined();
    await runExportJob(sqsEvent(message ?? ''), lambdaContext(120_000) as Context);
    const job = await storedJob(world.project.projectId, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(await assumeRoleCalls(pending)).toEqual([]);
  });
});
