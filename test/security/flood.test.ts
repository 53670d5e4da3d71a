/**
 * Attacker: one project flooding the service (integrations, validations, export jobs) while another
 * project works. Each project's use is capped where it is created, a project's queued exports start
 * in turn without holding up anyone else's, and nothing stays RUNNING forever.
 */
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config';
import type { IntegrationView } from '#shared/integrations/schemas';
import { platformProject, projectItems, type Project } from '../support/platform';
import { eventually } from '../support/platform';
import { REGION } from './support/tenants';

const bodyOf = (index: number) => ({ name: `flood ${index}`, region: REGION, bucketName: `flood-${index}-${Date.now().toString(36)}` });

async function createWithRole(project: Project): Promise<IntegrationView> {
  const created = await project.client.post(project.base, bodyOf(0));
  expect(created.status, created.text).toBe(201);
  return created.json as IntegrationView;
}

describe('a flood of integrations', () => {
  it('many concurrent creates in one project: exactly the limit succeed, the rest 409 INTEGRATION_LIMIT_REACHED, nothing else written', async () => {
    const limit = config().MAX_INTEGRATIONS_PER_PROJECT;
    const project = await platformProject();
    const answers = await Promise.all(Array.from({ length: limit + 10 }, (_, index) => project.client.post(project.base, bodyOf(index))));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(limit);
    const refused = answers.filter((answer) => answer.status !== 201);
    expect(refused).toHaveLength(10);
    for (const answer of refused) {
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({ error: { code: 'INTEGRATION_LIMIT_REACHED', message: expect.stringContaining(String(limit)) } });
    }
    const items = await projectItems(project.projectId);
    expect(items.filter((item) => String(item.sk).startsWith('INTEGRATION#'))).toHaveLength(limit);
    expect(items.filter((item) => String(item.sk).startsWith('INTEGRATION_NAME#'))).toHaveLength(limit);

    const one = (answers.find((answer) => answer.status === 201)?.json as IntegrationView).integrationId;
    expect((await project.client.delete(`${project.base}/${one}`)).status).toBe(204);
    expect((await project.client.post(project.base, bodyOf(limit + 100))).status).toBe(201);
    expect((await project.client.post(project.base, bodyOf(limit + 101))).status).toBe(409);
  });
});

describe('a flood of validations', () => {
  it('validating one integration again and again: 429 with Retry-After once its minute is spent; another project validates meanwhile', async () => {
    const perMinute = config().VALIDATIONS_PER_INTEGRATION_PER_MINUTE;
    const [flooder, bystander] = await Promise.all([platformProject(), platformProject()]);
    const integration = await createWithRole(flooder);
    const one = `${flooder.base}/${integration.integrationId}`;
    const done = () =>
      eventually(async () => {
        const view = (await flooder.client.get(one)).json as IntegrationView;
        return view.validation?.result !== 'RUNNING' ? view : undefined;
      }, 'validation did not end');
    // A role that does not exist: each run fails at once, so the flood is as fast as it gets.
    expect((await flooder.client.put(`${one}/role`, { roleArn: 'arn:aws:iam::222222222222:role/does-not-exist' })).status).toBe(202);
    await done();
    let limited;
    // Fixed windows of a minute: within two windows' worth of attempts, one must be refused.
    for (let attempt = 0; attempt < 2 * perMinute + 2 && !limited; attempt += 1) {
      const answer = await flooder.client.post(`${one}/validate`);
      if (answer.status === 429) limited = answer;
      else {
        expect(answer.status, answer.text).toBe(202);
        await done();
      }
    }
    expect(limited, 'no validation was refused').toBeDefined();
    expect(limited?.json).toMatchObject({ error: { code: 'TOO_MANY_VALIDATIONS' } });
    const retryAfter = Number(limited?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await flooder.client.get(one)).json as IntegrationView).validation?.result).toBe('FAILED');

    const other = await createWithRole(bystander);
    expect((await bystander.client.put(`${bystander.base}/${other.integrationId}/role`, { roleArn: 'arn:aws:iam::222222222222:role/x' })).status).toBe(202);
  });
});
