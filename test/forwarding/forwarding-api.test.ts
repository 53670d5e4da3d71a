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
      { integrationId, directory: '/' },
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
      { integrationId, directory: 'logs', compression: 'zip' },
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

  it(
    'moves forwarding to another directory and integration, ' + 'and keeps only the integration in use undeletable',
    async () => {
      const first = customer.integration.integrationId;
      const created = await project.client.put(path, { integrationId: first, directory: 'one' });
      expect(created.status, created.text).toBe(201);
      // Typed as a folder, with a trailing "/": the same folder.
      const moved = await project.client.put(path, { integrationId: first, directory: 'two/sub/' });
      expect(moved.status).toBe(200);
      expect((moved.json as ForwardingView).directory).toBe('two/sub');
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
    },
  );

  it('pauses, resumes and changes compression with PATCH, refusing malformed patches with 400', async () => {
    const fresh = await activeIntegration(project); // the test before deleted the first one
    const created = await project.client.put(path, {
      integrationId: fresh.integration.integrationId,
      directory: 'patched',
    });
    expect(created.status, created.text).toBe(201);
    for (const body of [
      {},
      { paused: 'yes' },
      { compression: 'zip' },
      { paused: true, extra: 1 },
      { directory: 'elsewhere' },
      'not json',
    ]) {
      const answer = await project.client.patch(path, body);
      expect(answer.status, `${JSON.stringify(body)} -> ${answer.text}`).toBe(400);
    }
    const paused = await project.client.patch(path, { paused: true });
    expect(paused.json).toMatchObject({ paused: true, compression: 'none' });
    // Pausing again keeps the first pause's time.
    expect(((await project.client.patch(path, { paused: true })).json as ForwardingView).pausedAt).toBe(
      (paused.json as ForwardingView).pausedAt,
    );
    const zipped = await project.client.patch(path, { compression: 'gzip', paused: false });
    expect(zipped.json).toMatchObject({ paused: false, compression: 'gzip' });
    expect((zipped.json as ForwardingView).pausedAt).toBeUndefined();
    expect((await projectUser(project, 'member').patch(path, { paused: true })).status).toBe(403);
    expect((await project.client.delete(path)).status).toBe(204);
    const off = await project.client.patch(path, { paused: true });
    expect(off.status).toBe(404);
    expect(errorCode(off)).toBe('FORWARDING_NOT_FOUND');
  });

  it(
    'starts a replay only for a window since forwarding was turned on that has begun, ' + 'and not while paused',
    async () => {
      const fresh = await activeIntegration(project);
      const created = await project.client.put(path, {
        integrationId: fresh.integration.integrationId,
        directory: 'replays',
      });
      expect(created.status, created.text).toBe(201);
      const { enabledAt } = created.json as ForwardingView;
      const replay = `${path}/replay`;
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      for (const body of [
        {},
        { from: 'yesterday', to: iso(now) },
        { from: iso(now) },
        { from: iso(now - 1000), to: iso(now), extra: 1 },
      ]) {
        expect((await project.client.post(replay, body)).status, JSON.stringify(body)).toBe(400);
      }
      for (const body of [
        { from: iso(now - 60_000), to: iso(now) }, // before forwarding was turned on
        { from: enabledAt, to: iso(now + 3_600_000) }, // not begun
        { from: iso(now), to: enabledAt }, // backwards
      ]) {
        const answer = await project.client.post(replay, body);
        expect(answer.status, `${JSON.stringify(body)} -> ${answer.text}`).toBe(422);
        expect(errorCode(answer)).toBe('REPLAY_WINDOW_INVALID');
      }
      const started = await project.client.post(replay, { from: enabledAt, to: iso(Date.now()) });
      expect(started.status, started.text).toBe(202);
      expect(started.json).toMatchObject({
        status: 'RUNNING',
        progress: { hoursTotal: expect.any(Number), hoursDone: 0 },
      });
      const { replayId } = started.json as { replayId: string };
      const read = await projectUser(project, 'member').get(`${replay}/${replayId}`);
      expect(read.status).toBe(200);
      expect((await project.client.get(`${replay}/replay-aaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
      expect((await project.client.get(`${replay}/not-an-id`)).status).toBe(400);
      expect((await project.client.patch(path, { paused: true })).status).toBe(200);
      const whilePaused = await project.client.post(replay, { from: enabledAt, to: iso(Date.now()) });
      expect(whilePaused.status).toBe(409);
      expect(errorCode(whilePaused)).toBe('FORWARDING_PAUSED');
      expect((await project.client.delete(path)).status).toBe(204);
    },
  );
});
