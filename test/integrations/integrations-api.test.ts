/**
 * The integrations API on the local stack: the lifecycle of an integration (create, read, list with
 * pages, setup documents, delete), unique names, external ids the platform generates and never
 * reuses, who may read and write a project's integrations, and the enterprise plan they need.
 */
import { describe, expect, it } from 'vitest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { insertIntegration } from '#shared/integrations/integration-store';
import { keys } from '#shared/table/keys';
import { api, mintToken } from '../support/local-stack';
import { platformProject, projectItems, projectUser } from '../support/platform';

type Created = IntegrationView & {
  setup: { iamPolicy: object; trustPolicy: { Statement: Array<{ Condition: unknown }> } };
};

const body = (name: string) => ({
  name,
  region: 'us-east-1',
  bucketName: `bucket-${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`,
});

describe('integrations API', () => {
  it('creates, reads, lists, serves the setup documents and deletes an integration', async () => {
    const project = await platformProject();
    const created = await project.client.post(project.base, { ...body('Backups'), description: 'for export' });
    expect(created.status, created.text).toBe(201);
    const integration = created.json as Created;
    expect(integration).toMatchObject({
      name: 'Backups',
      description: 'for export',
      status: 'AWAITING_ROLE',
      projectId: project.projectId,
    });
    expect(integration.integrationId).toMatch(/^integ-[a-z0-9]{20}$/);
    expect(integration.setup.trustPolicy.Statement[0]?.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': integration.externalId },
    });

    const one = `${project.base}/${integration.integrationId}`;
    const read = await project.client.get(one);
    expect(read.status).toBe(200);
    const { setup, ...view } = integration;
    expect(read.json).toEqual(view);
    expect((await project.client.get(`${one}/setup`)).json).toEqual(setup);
    expect(((await project.client.get(project.base)).json as { items: IntegrationView[] }).items).toEqual([view]);

    expect((await project.client.delete(one)).status).toBe(204);
    expect((await project.client.get(one)).status).toBe(404);
    expect((await project.client.delete(one)).status).toBe(404);
    const again = (await project.client.post(project.base, body('Backups'))).json as Created;
    expect(again.externalId).not.toBe(integration.externalId);
  });

  it('keeps names unique within a project, whatever the case, and lets other projects reuse them', async () => {
    const project = await platformProject();
    expect((await project.client.post(project.base, body('Audit'))).status).toBe(201);
    const taken = await project.client.post(project.base, body('AUDIT'));
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ error: { code: 'NAME_TAKEN' } });
    const other = await platformProject();
    expect((await other.client.post(other.base, body('Audit'))).status).toBe(201);
  });

  it('leaves exactly one integration when ten creates of the same name race', async () => {
    const project = await platformProject();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => project.client.post(project.base, body('Racing'))),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const items = (await project.client.get(project.base)).json as { items: unknown[] };
    expect(items.items).toHaveLength(1);
    const stored = await projectItems(project.projectId);
    expect(stored.filter((item) => String(item.sk).startsWith('INTEGRATION#'))).toHaveLength(1);
    expect(stored.filter((item) => String(item.sk).startsWith('INTEGRATION_NAME#'))).toHaveLength(1);
  });

  it('pages through a list with limit and nextToken, ending without a token', async () => {
    const project = await platformProject();
    for (let index = 0; index < 7; index += 1) {
      expect((await project.client.post(project.base, body(`Paged ${index}`))).status).toBe(201);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const query = `?limit=3${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
      const page = (await project.client.get(`${project.base}${query}`)).json as {
        items: IntegrationView[];
        nextToken?: string;
      };
      seen.push(...page.items.map((item) => item.name));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < 10);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, index) => `Paged ${index}`).sort());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('generates external ids: random, unique, at least 128 bits, never taken from the caller', async () => {
    const project = await platformProject();
    const ids = new Set<string>();
    for (let index = 0; index < 20; index += 1) {
      const created = (await project.client.post(project.base, body(`Ext ${index}`))).json as Created;
      expect(created.externalId).toMatch(/^s3i-[A-Za-z0-9_-]{32}$/);
      ids.add(created.externalId);
    }
    expect(ids.size).toBe(20);
    const chosen = await project.client.post(project.base, { ...body('Chosen'), externalId: 'my-own-id' });
    expect(chosen.status).toBe(400);
  });

  it('never issues a deleted integration external id again', async () => {
    const project = await platformProject();
    const created = (await project.client.post(project.base, body('Tombstone'))).json as Created;
    expect((await project.client.delete(`${project.base}/${created.integrationId}`)).status).toBe(204);
    const { setup: _setup, ...view } = created;
    // Straight to the store: the API never lets a caller choose an id, so only a collision could try this.
    await expect(
      insertIntegration({
        ...view,
        integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
        name: 'Other name',
        createdBy: 'test',
      }),
    ).rejects.toThrow();
  });

  it(
    "counts a project's integrations once when its usage item is missing " +
      '(integrations stored before limits existed)',
    async () => {
      const project = await platformProject();
      for (const name of ['Old 1', 'Old 2', 'Old 3'])
        expect((await project.client.post(project.base, body(name))).status).toBe(201);
      await dynamodb.send(
        new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: keys.projectUsage(project.projectId) }),
      );
      expect((await project.client.post(project.base, body('New 4'))).status).toBe(201);
      const usage = (await projectItems(project.projectId)).find((item) => item.sk === 'USAGE');
      expect(usage).toMatchObject({ integrations: 4 });
    },
  );

  it('asks for the role before a re-validation', async () => {
    const project = await platformProject();
    const created = (await project.client.post(project.base, body('No role'))).json as Created;
    const answer = await project.client.post(`${project.base}/${created.integrationId}/validate`);
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ error: { code: 'ROLE_NOT_SET' } });
  });
});

describe('tenancy', () => {
  it('lets the owner and project admins write, members read, and shows others nothing', async () => {
    const project = await platformProject();
    const admin = projectUser(project, 'admin');
    const member = projectUser(project, 'member');
    const created = await admin.post(project.base, body('By admin'));
    expect(created.status).toBe(201);
    const one = `${project.base}/${(created.json as Created).integrationId}`;

    expect((await member.get(one)).status).toBe(200);
    expect((await member.get(project.base)).status).toBe(200);
    expect((await member.get(`${one}/setup`)).status).toBe(200);
    for (const write of [
      () => member.post(project.base, body('By member')),
      () => member.put(`${one}/role`, { roleArn: 'arn:aws:iam::222222222222:role/x' }),
      () => member.post(`${one}/validate`),
      () => member.delete(one),
    ]) {
      const answer = await write();
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }

    const stranger = (await platformProject()).client;
    const claimingOtherOrg = api(
      mintToken({ sub: 'u', org: 'org-elsewhere', orgRole: 'member', projects: { [project.projectId]: 'admin' } }),
    );
    for (const outsider of [stranger, claimingOtherOrg]) {
      for (const answer of [
        await outsider.get(one),
        await outsider.get(project.base),
        await outsider.delete(one),
        await outsider.post(project.base, body('Intruder')),
      ]) {
        expect(answer.status).toBe(404);
        expect(JSON.stringify(answer.json)).not.toContain('By admin');
      }
    }
    expect(((await project.client.get(project.base)).json as { items: unknown[] }).items).toHaveLength(1);
  });

  it('answers FEATURE_NOT_AVAILABLE outside the enterprise plan', async () => {
    const project = await platformProject('standard');
    const answer = await project.client.post(project.base, body('Not here'));
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: { code: 'FEATURE_NOT_AVAILABLE' } });
    expect(await projectItems(project.projectId)).toHaveLength(1);
  });
});
