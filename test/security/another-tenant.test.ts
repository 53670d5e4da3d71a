/**
 * Attacker: another tenant. They hold a valid token of their own organization (or of the victim's
 * organization without a role on the victim's project), know or guess the victim's ids, and replay
 * the victim's page tokens and job ids on every route of the API. Every attempt must answer 404
 * (never revealing that the resource exists) and write nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { api, mintToken } from '../support/local-stack';
import { platformCluster, platformProject, publish, eventually, type Api, type Project } from '../support/platform';
import {
  call,
  fullTenant,
  idsOf,
  partitionKeys,
  pathOf,
  tenantRoutes,
  validBodyOf,
  REGION,
  type Tenant,
} from './support/tenants';

let victim: Tenant;
let attacker: Project;
let attackerCluster: string;
let attackerIntegration: IntegrationView;
/** A user of the victim's organization who has no role on the victim's project. */
let sameOrgOutsider: Api;
/** A token of another organization that claims admin on the victim's project. */
let claimingAdmin: Api;

beforeAll(async () => {
  [victim, attacker] = await Promise.all([fullTenant(), platformProject()]);
  attackerCluster = await platformCluster(attacker, { region: REGION });
  const created = await attacker.client.post(attacker.base, {
    name: 'mine',
    region: REGION,
    bucketName: `atk-${attacker.projectId}`,
  });
  attackerIntegration = created.json as IntegrationView;
  sameOrgOutsider = api(mintToken({ sub: 'outsider', org: victim.project.orgId, orgRole: 'member', projects: {} }));
  claimingAdmin = api(
    mintToken({
      sub: 'claimer',
      org: attacker.orgId,
      orgRole: 'owner',
      projects: { [victim.project.projectId]: 'admin' },
    }),
  );
});

describe('another tenant on every route of the victim', () => {
  for (const route of tenantRoutes) {
    it(`${route.method} ${route.path}: 404 for another org, a same-org user with no role, a forged claim`, async () => {
      const before = await partitionKeys(victim.project.projectId);
      const path = pathOf(route, idsOf(victim));
      for (const client of [attacker.client, sameOrgOutsider, claimingAdmin]) {
        const answer = await call(client, route, path, validBodyOf(route, victim.integration.integrationId));
        expect(answer.status, `${route.operationId}: ${answer.text}`).toBe(404);
        expect(answer.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
        expect(answer.text).not.toContain(victim.integration.bucketName);
      }
      expect(await partitionKeys(victim.project.projectId)).toEqual(before);
    });
  }
});

describe("another tenant naming the victim's ids in its own project", () => {
  const own = () => `/v1/projects/${attacker.projectId}`;

  it("reads, validates, edits, rotates or deletes the victim's integration via its own project path: 404", async () => {
    const one = `${own()}/integrations/${victim.integration.integrationId}`;
    for (const answer of [
      await attacker.client.get(one),
      await attacker.client.get(`${one}/setup`),
      await attacker.client.post(`${one}/validate`),
      await attacker.client.put(`${one}/role`, { roleArn: victim.roleArn }),
      await attacker.client.patch(one, { name: 'defaced', kmsKeyArn: null }),
      await attacker.client.post(`${one}/external-id-rotation`),
      await attacker.client.delete(`${one}/external-id-rotation`),
      await attacker.client.delete(one),
    ]) {
      expect(answer.status, answer.text).toBe(404);
      expect(answer.json).toMatchObject({ error: { code: 'INTEGRATION_NOT_FOUND' } });
      expect(answer.text).not.toContain(victim.integration.externalId);
    }
  });

  it("reads the victim's export job through its own project path: 404", async () => {
    const answer = await attacker.client.get(`${own()}/jobs/${victim.jobId}`);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 'JOB_NOT_FOUND' } });
  });

  it("exports, forwards or auto-exports its own cluster into the victim's integration: 404", async () => {
    const cluster = `${own()}/clusters/${attackerCluster}`;
    const backupId = `bk-attacker-${Date.now().toString(36)}`;
    await publish('platform.backups', 'Backup Completed', {
      projectId: attacker.projectId,
      clusterId: attackerCluster,
      backupId,
      bucket: 'platform-backups-attacker',
      prefix: `backups/${attackerCluster}/${backupId}`,
      completedAt: new Date().toISOString(),
    });
    const body = { integrationId: victim.integration.integrationId, directory: 'stolen' };
    const exported = await eventually(async () => {
      const answer = await attacker.client.post(`${cluster}/backups/${backupId}/export`, body);
      return answer.json && (answer.json as { error?: { code: string } }).error?.code !== 'BACKUP_NOT_FOUND'
        ? answer
        : undefined;
    }, 'the backup was not recorded');
    for (const answer of [
      exported,
      await attacker.client.put(`${cluster}/audit-log-forwarding`, body),
      await attacker.client.put(`${cluster}/backup-export-rule`, body),
    ]) {
      expect(answer.status, answer.text).toBe(404);
      expect(answer.json).toMatchObject({ error: { code: 'INTEGRATION_NOT_FOUND' } });
    }
  });

  it("reads, pauses or replays the victim's cluster through its own project path: 404", async () => {
    const cluster = `${own()}/clusters/${victim.clusterId}`;
    const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString() };
    for (const answer of [
      await attacker.client.get(`${cluster}/audit-log-forwarding`),
      await attacker.client.get(`${cluster}/backup-export-rule`),
      await attacker.client.get(`${cluster}/audit-log-forwarding/replay/${victim.replayId}`),
      await attacker.client.post(`${cluster}/audit-log-forwarding/replay`, window),
      await attacker.client.patch(`${cluster}/audit-log-forwarding`, { paused: true }),
      await attacker.client.get(`${own()}/clusters/${attackerCluster}/audit-log-forwarding/replay/${victim.replayId}`),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain(victim.integration.integrationId);
    }
  });

  it("replays the victim's page token on its own list: 400, nothing of the victim's", async () => {
    await victim.project.client.post(victim.project.base, {
      name: 'second',
      region: REGION,
      bucketName: `sec-second-${victim.project.projectId}`,
    });
    const page = (await victim.project.client.get(`${victim.project.base}?limit=1`)).json as { nextToken?: string };
    expect(page.nextToken).toBeDefined();
    for (const path of [
      `${attacker.base}?limit=1&nextToken=${encodeURIComponent(page.nextToken ?? '')}`,
      `${own()}/jobs?nextToken=${encodeURIComponent(page.nextToken ?? '')}`,
    ]) {
      const answer = await attacker.client.get(path);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'INVALID_NEXT_TOKEN' } });
    }
  });

  it('forges a page token that names the victim partition: 400', async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: `PROJECT#${victim.project.projectId}`, sk: 'INTEGRATION#' }),
    ).toString('base64url');
    const answer = await attacker.client.get(`${attacker.base}?nextToken=${forged}`);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(victim.integration.integrationId);
  });

  it("takes the victim's integration name: allowed (names are per project), the victim's unchanged", async () => {
    const before = await partitionKeys(victim.project.projectId);
    const renamed = await attacker.client.patch(`${attacker.base}/${attackerIntegration.integrationId}`, {
      name: victim.integration.name,
    });
    expect(renamed.status, renamed.text).toBe(200);
    // A NAME_TAKEN here would reveal that another tenant uses the name.
    const again = await attacker.client.post(attacker.base, {
      name: `${victim.integration.name} 2`,
      region: REGION,
      bucketName: `atk2-${attacker.projectId}`,
    });
    expect(again.status, again.text).toBe(201);
    expect(await partitionKeys(victim.project.projectId)).toEqual(before);
    expect(
      (
        (await victim.project.client.get(`${victim.project.base}/${victim.integration.integrationId}`))
          .json as IntegrationView
      ).name,
    ).toBe(victim.integration.name);
  });

  it('still works on its own resources (the refusals above are not blanket)', async () => {
    const answer = await attacker.client.get(`${attacker.base}/${attackerIntegration.integrationId}`);
    expect(answer.status).toBe(200);
  });
});

describe('tenancy keys that name inherited properties', () => {
  /**
   * A project whose id is also the name of a property every JavaScript object inherits. Looking the
   * caller's role up with `projectRoles[projectId]` finds the inherited function and lets any user of
   * the organization in.
   */
  for (const projectId of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
    it(`a user of the organization without a role reads or writes project "${projectId}": 404`, async () => {
      const orgId = `org-proto-${projectId.replace(/_/g, '')}-${Date.now().toString(36)}`;
      await publish('platform.projects', 'Project Upserted', { projectId, orgId, plan: 'enterprise' });
      const owner = api(mintToken({ sub: 'owner', org: orgId, orgRole: 'owner', projects: {} }));
      await eventually(
        async () => (await owner.get(`/v1/projects/${projectId}/integrations`)).status === 200,
        'the project was not recorded',
      );
      const member = api(mintToken({ sub: 'no-role', org: orgId, orgRole: 'member', projects: {} }));
      const read = await member.get(`/v1/projects/${projectId}/integrations`);
      expect(read.status, read.text).toBe(404);
      const write = await member.post(`/v1/projects/${projectId}/integrations`, {
        name: 'x',
        region: REGION,
        bucketName: 'proto-attack-bucket',
      });
      expect(write.status, write.text).toBe(404);
    });
  }
});
