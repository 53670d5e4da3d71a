/**
 * Attacker: a member of the project (a read-only role) who tries every write route, and an admin of
 * another project of the same organization who tries them on this one. Members get 403 and change
 * nothing; the other project's admin learns nothing (404). Reads stay open to members.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api, mintToken } from '../support/local-stack';
import { projectUser, type Api } from '../support/platform';
import {
  call,
  fullTenant,
  idsOf,
  partitionKeys,
  pathOf,
  tenantRoutes,
  validBodyOf,
  writeRoutes,
  type Tenant,
} from './support/tenants';

let tenant: Tenant;
let member: Api;
let adminElsewhere: Api;

beforeAll(async () => {
  tenant = await fullTenant();
  member = projectUser(tenant.project, 'member');
  adminElsewhere = api(
    mintToken({
      sub: 'admin-elsewhere',
      org: tenant.project.orgId,
      orgRole: 'member',
      projects: { 'proj-other-of-org': 'admin' },
    }),
  );
});

describe('a project member on every write route', () => {
  for (const route of writeRoutes) {
    it(
      `${route.method} ${route.path}: 403 FORBIDDEN for the member, 404 for an admin of another project; nothing ` +
        `written`,
      async () => {
        const before = await partitionKeys(tenant.project.projectId);
        const path = pathOf(route, idsOf(tenant));
        const body = validBodyOf(route, tenant.integration.integrationId);
        const refused = await call(member, route, path, body);
        expect(refused.status, `${route.operationId}: ${refused.text}`).toBe(403);
        expect(refused.json).toMatchObject({
          error: { code: 'FORBIDDEN', message: expect.stringMatching(/owner or a project admin/) },
        });
        const hidden = await call(adminElsewhere, route, path, body);
        expect(hidden.status, `${route.operationId}: ${hidden.text}`).toBe(404);
        expect(await partitionKeys(tenant.project.projectId)).toEqual(before);
      },
    );
  }

  it(
    'cannot rename the integration to a name another integration has, nor take its key away: 403 before any ' +
      'conflict is told',
    async () => {
      const other = await tenant.project.client.post(tenant.project.base, {
        name: 'member target',
        region: 'us-east-1',
        bucketName: `member-${tenant.project.projectId}`,
      });
      expect(other.status).toBe(201);
      const before = await partitionKeys(tenant.project.projectId);
      const one = `${tenant.project.base}/${tenant.integration.integrationId}`;
      for (const body of [{ name: 'member target' }, { kmsKeyArn: null }, { description: 'x' }]) {
        const answer = await member.patch(one, body);
        expect([answer.status, (answer.json as { error: { code: string } }).error.code]).toEqual([403, 'FORBIDDEN']);
      }
      expect(await partitionKeys(tenant.project.projectId)).toEqual(before);
    },
  );

  it('still reads every read route (the refusals are about writing, not about membership)', async () => {
    for (const route of tenantRoutes.filter((candidate) => candidate.access === 'read')) {
      const answer = await call(member, route, pathOf(route, idsOf(tenant)), undefined);
      expect(answer.status, `${route.operationId}: ${answer.text}`).toBe(200);
    }
  });
});
