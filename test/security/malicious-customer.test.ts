/**
 * Attacker: a malicious (or careless) customer, who controls their own AWS account: its trust
 * policies, roles, buckets and KMS keys, and the integration settings they send. Validation must
 * refuse every trust policy that would let another tenant's integration act through the role, and
 * the workers must never use the role more widely than validation proved.
 */
import { DetachRolePolicyCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { assumeRoleCalls, clientsFor } from '../support/local-stack';
import { platformProject, type Project } from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import { announceBackup as announceFiles, exportWorld, finished, platformBackup, requestExport, waitForJob } from '../exports/support/export-stack';
import { activeIntegration } from './support/tenants';

let project: Project;
beforeAll(async () => {
  project = await platformProject();
});

describe('the role after validation', () => {
  it('a 403 in the middle of an export is diagnosed with an AssumeRole narrowed by a session policy, never with the full role', async () => {
    const world = await exportWorld();
    const { iam } = clientsFor(world.accountId);
    const roleName = world.roleArn.split('/').pop() ?? '';
    const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    for (const policy of AttachedPolicies) await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
    const backup = await platformBackup(world.clusterId, smallFiles('diag', 2));
    await announceFiles(world.project, world.clusterId, backup);
    const jobId = await requestExport(world, backup, 'diagnosed');
    const job = await waitForJob(world, jobId, finished);
    expect(job).toMatchObject({ status: 'FAILED', error: { code: 'WRITE_ACCESS_DENIED' } });
    const calls = (await assumeRoleCalls(world.roleArn)).filter((call) => call.result === 'Granted');
    expect(calls.some((call) => call.roleSessionName.endsWith('-export-check'))).toBe(true);
    for (const call of calls) expect(call.sessionPolicy, `${call.roleSessionName} had no session policy`).toBeDefined();
  });

  it('a customer with an ACTIVE integration still gets exactly the probe-prefix session during validation', async () => {
    const { roleArn, integration } = await activeIntegration(project);
    const validation = (await assumeRoleCalls(roleArn)).filter((call) => call.externalId === integration.externalId);
    expect(validation.length).toBeGreaterThan(0);
    for (const call of validation) expect(JSON.stringify(call.sessionPolicy)).toContain(`.s3-integration-probe/${integration.integrationId}/`);
  });
});
