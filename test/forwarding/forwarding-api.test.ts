/**
 * The forwarding API over HTTP on the local stack: input validation (nothing is written), tenancy
 * and roles, the plan and tier rules, the integration's state and region, and the `usedBy` link
 * that keeps an integration from being deleted while forwarding uses it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ForwardingView } from '#shared/forwarding/schemas';
import { api } from '../support/local-stack';
import { createIntegration, uniqueBucketName } from '../support/customer';
import { type Project, platformCluster, platformProject, projectUser } from '../support/platform';
import { activeIntegration, forwardingPath, type Customer } from './support';

const errorCode = (answer: { json: unknown }) => (answer.json as { error?: { code?: string } }).error?.code;

describe('audit-log forwarding API', () => {
  let project: Project;
  let clusterId: string;
  let customer: Customer;
  let path: string;

  beforeAll(async () => {
    project = await platformProject('enterprise');
    clusterId = await platformCluster(project);
    customer = await activeIntegration(project);
    path = forwardingPath(project.projectId, clusterId);
  });

  it('refuses malformed input with 400 and writes nothing', async () => {
    const integrationId = customer.integration.integrationId;
    const invalid: unknown[] = [
      {},
      { integrationId },
      { directory: 'logs' },
      { integrationId: 'integ-nope', directory: 'logs' },
      { integrationId, directory: '' },
      { integrationId, directory: '/absolute' },
      { integrationId, directory: 'trailing/' },
      { integrationId, directory: 'a//b' },
      { integrationId, directory: 'a/../b' },
      { integrationId, directory: '..' },
      { integrationId, directory: './logs' },
      { integrationId, directory: 'tab\tname' },
      { integrationId, directory: 'new\nline' },
      { integrationId, directory: 'spaces in name' },
      { integrationId, directory: 'wild*card' },
      { integrationId, directory: 'x'.repeat(257) },
      { integrationId, directory: 'logs', extra: true },
      { integrationId, directory: 42 },
      'not json',
    ];
    for (const body of invalid) {
      const answer = await project.client.put(path, body);
      expect(answer.status, `${JSON.stringify(body)} -> ${answer.text}`).toBe(400);
    }
    expect((await project.client.put(path, '{"integrationId":', { 'content-type': 'application/json' })).status).toBe(
      400,
    );
    expect(
      (
        await project.client.put(`/v1/projects/${project.projectId}/clusters/bad%20id/audit-log-forwarding`, {
          integrationId,
          directory: 'x',
        })
      ).status,
    ).toBe(400);
    const after = await project.client.get(path);
    expect(after.status).toBe(404);
    expect(errorCode(after)).toBe('FORWARDING_NOT_FOUND');
    // Nothing marks the integration as used either: it could still be deleted (not done here).
  });

  it('hides the project from other tenants, lets members read but not write, and needs a token', async () => {
    const body = { integrationId: customer.integration.integrationId, directory: 'tenancy' };
    const stranger = await platformProject('enterprise');
    for (const answer of [
      await stranger.client.put(path, body),
      await stranger.client.get(path),
      await stranger.client.delete(path),
    ]) {
      expect(answer.status).toBe(404);
      expect(errorCode(answer)).toBe('NOT_FOUND');
    }
    const member = projectUser(project, 'member');
    expect((await member.put(path, body)).status).toBe(403);
    expect((await project.client.get(path)).status).toBe(404);

    const admin = projectUser(project, 'admin');
    const created = await admin.put(path, body);
    expect(created.status, created.text).toBe(201);
    const read = await member.get(path);
    expect(read.status).toBe(200);
    expect((read.json as ForwardingView).directory).toBe('tenancy');
    expect((await member.delete(path)).status).toBe(403);
    expect((await api().get(path)).status).toBe(401);
    expect((await admin.delete(path)).status).toBe(204);
  });

  it('is available only to enterprise projects and dedicated clusters that exist', async () => {
    const body = { integrationId: customer.integration.integrationId, directory: 'rules' };
    const standard = await platformProject('standard');
    const standardCluster = await platformCluster(standard);
    const onStandard = await standard.client.put(forwardingPath(standard.projectId, standardCluster), body);
    expect(onStandard.status).toBe(403);
    expect(errorCode(onStandard)).toBe('FEATURE_NOT_AVAILABLE');

    const serverless = await platformCluster(project, { tier: 'serverless' });
    for (const answer of [
      await project.client.put(forwardingPath(project.projectId, serverless), body),
      await project.client.get(forwardingPath(project.projectId, serverless)),
    ]) {
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('FEATURE_NOT_AVAILABLE');
    }
    const unknown = await project.client.put(forwardingPath(project.projectId, 'cl-unknown'), body);
    expect(unknown.status).toBe(404);
  });

  it('needs an ACTIVE integration of this project in the cluster region', async () => {
    const awaiting = await createIntegration(project, { region: 'us-east-1', bucketName: uniqueBucketName('fwd') });
    const notActive = await project.client.put(path, { integrationId: awaiting.integrationId, directory: 'x' });
    expect(notActive.status).toBe(409);
    expect(errorCode(notActive)).toBe('INTEGRATION_NOT_ACTIVE');

    const westCluster = await platformCluster(project, { region: 'us-west-2' });
    const elsewhere = await project.client.put(forwardingPath(project.projectId, westCluster), {
      integrationId: customer.integration.integrationId,
      directory: 'x',
    });
    expect(elsewhere.status).toBe(422);
    expect(errorCode(elsewhere)).toBe('REGION_MISMATCH');

    const other = await platformProject('enterprise');
    const otherCustomer = await activeIntegration(other);
    const foreign = await project.client.put(path, {
      integrationId: otherCustomer.integration.integrationId,
      directory: 'x',
    });
    expect(foreign.status).toBe(404);
    expect(errorCode(foreign)).toBe('INTEGRATION_NOT_FOUND');
    expect((await project.client.get(path)).status).toBe(404);
  });

  it('moves forwarding to another directory and integration, and keeps only the integration in use undeletable', async () => {
    const first = customer.integration.integrationId;
    const created = await project.client.put(path, { integrationId: first, directory: 'one' });
    expect(created.status, created.text).toBe(201);
    const moved = await project.client.put(path, { integrationId: first, directory: 'two/sub' });
    expect(moved.status).toBe(200);
    expect((moved.json as ForwardingView).destination.prefix).toBe(`two/sub/${clusterId}/audit/`);
    expect((moved.json as ForwardingView).enabledAt).toBe((created.json as ForwardingView).enabledAt);

    const second = await activeIntegration(project);
    const switched = await project.client.put(path, {
      integrationId: second.integration.integrationId,
      directory: 'two/sub',
    });
    expect(switched.status, switched.text).toBe(200);
    expect((switched.json as ForwardingView).destination.bucket).toBe(second.integration.bucketName);

    const inUse = await project.client.delete(`${project.base}/${second.integration.integrationId}`);
    expect(inUse.status).toBe(409);
    expect(errorCode(inUse)).toBe('INTEGRATION_IN_USE');
    expect((await project.client.delete(`${project.base}/${first}`)).status).toBe(204);

    expect((await project.client.delete(path)).status).toBe(204);
    const again = await project.client.delete(path);
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe('FORWARDING_NOT_FOUND');
    expect((await project.client.delete(`${project.base}/${second.integration.integrationId}`)).status).toBe(204);
  });
});
