/** The local stack's console files and its local-only sign-in routes (never part of the deployment). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '#shared/http/api-routes';
import { customerRoleTemplate } from '#shared/integrations/customer-role-template';
import { CONSOLE_DIST, ensureConsoleBuilt } from '@s3-integrations/local-runtime/console-files';
import { api, localStack } from '../support/local-stack';
import { eventually, platformProject } from '../support/platform';

const local = (path: string, init?: RequestInit) => fetch(`${localStack().apiUrl}${path}`, init);
const mint = async (claims: object) => {
  const response = await local('/local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  return {
    status: response.status,
    body: (await response.json()) as { token?: string; error?: { details: unknown[] } },
  };
};

describe('local sign-in routes', () => {
  it('are not routes of the deployed API', () => {
    expect(apiRoutes.filter((route) => /^\/(local|console)\b/.test(route.path))).toEqual([]);
  });

  it('list the projects the service learnt, and mint tokens the API accepts with the chosen role', async () => {
    const project = await platformProject();
    const signIn = (await (await local('/local/sign-in')).json()) as { projects: unknown[]; aws: { endpoint: string } };
    expect(signIn.projects).toContainEqual({ projectId: project.projectId, orgId: project.orgId, plan: 'enterprise' });
    expect(signIn.aws.endpoint).toBe(localStack().awsUrl);

    const minted = await mint({ org: project.orgId, orgRole: 'member', projects: { [project.projectId]: 'member' } });
    expect(minted.status).toBe(200);
    const member = api(minted.body.token);
    expect((await member.get(project.base)).status).toBe(200);
    expect(
      (await member.post(project.base, { name: 'x', region: 'us-east-1', bucketName: 'member-bucket' })).status,
    ).toBe(403);
  });

  it('refuse a token request without organization or role, saying which', async () => {
    const refused = await mint({ orgRole: 'king' });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details.map((detail) => (detail as { field: string }).field).sort()).toEqual([
      'org',
      'orgRole',
    ]);
  });

  it('create the demo project from platform events: an enterprise project, clusters, a finished backup', async () => {
    const created = await local('/local/demo-project', { method: 'POST' });
    expect(created.status).toBe(201);
    const { projectId, orgId } = (await created.json()) as { projectId: string; orgId: string };
    const owner = api((await mint({ org: orgId, orgRole: 'owner' })).body.token);
    const backups = await eventually(async () => {
      const answer = await owner.get(`/v1/projects/${projectId}/clusters/demo-cluster/backups`);
      return answer.status === 200 && (answer.json as { items: unknown[] }).items.length > 0 ? answer.json : undefined;
    }, 'the demo backup was not recorded');
    expect(backups).toMatchObject({ items: [{ backupId: 'demo-backup-1', status: 'AVAILABLE' }] });
    expect(((await owner.get(`/v1/projects/${projectId}/clusters`)).json as { items: unknown[] }).items).toHaveLength(
      2,
    );
  });

  it('serve the generic customer role template, the local customerRoleTemplateUrl', async () => {
    expect(localStack().environment.CUSTOMER_ROLE_TEMPLATE_URL).toMatch(/\/local\/customer-role-template\.json$/);
    expect(await (await local('/local/customer-role-template.json')).json()).toEqual(customerRoleTemplate);
  });
});

describe('console files', () => {
  it('serve the entry page uncached and the hashed assets immutable, and nothing outside console/dist', async () => {
    const entry = await local('/console/');
    expect(entry.status).toBe(200);
    expect(entry.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(entry.headers.get('cache-control')).toBe('no-cache');
    const html = await entry.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await local(`/console/${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // A deep link gets the entry page; the build record and anything outside dist do not exist.
    expect(await (await local('/console/integrations/new')).text()).toBe(html);
    expect((await local('/console/.build-inputs.json')).status).toBe(404);
    expect((await local('/console/%2e%2e/package.json')).status).toBe(404);
    expect((await local('/console')).status).toBe(200); // fetch follows the 301 to /console/
  });

  it('rebuild when a file the last build read has changed', async () => {
    // A dist of its own: the stack's console/dist stays as it is for the browser tests.
    const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
    await ensureConsoleBuilt(dist);
    const recordFile = join(dist, '.build-inputs.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { fingerprint: string; inputs: string[] };
    expect(record.inputs).toContain('console/src/main.ts');
    expect(record.inputs).toContain('shared/integrations/naming-rules.ts');
    // Same effect as an edited source: the recorded fingerprint no longer matches.
    writeFileSync(recordFile, JSON.stringify({ ...record, fingerprint: 'edited' }));
    await ensureConsoleBuilt(dist);
    expect((JSON.parse(readFileSync(recordFile, 'utf8')) as { fingerprint: string }).fingerprint).toBe(
      record.fingerprint,
    );
    expect(readFileSync(join(dist, 'index.html'), 'utf8')).toBe(readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8'));
    rmSync(dist, { recursive: true, force: true });
  });
});
