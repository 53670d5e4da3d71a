/**
 * GET /v1/regions: the served regions, without a token; a region the platform does not serve is refused
 * with that list.
 */
import { describe, expect, it } from 'vitest';
import { api, localStack } from '../support/local-stack';
import { platformProject } from '../support/platform';

describe('GET /v1/regions', () => {
  it('lists the served regions without a token, in the order of the stage parameter', async () => {
    const answer = await api().get('/v1/regions');
    expect(answer.status).toBe(200);
    const served = (localStack().environment.SERVED_REGIONS ?? '').split(',');
    expect(served.length).toBeGreaterThan(0);
    expect(answer.json).toEqual({ items: served.map((region) => ({ region })) });
  });

  it('a region typed that the platform does not serve is refused with the list GET /v1/regions gives', async () => {
    const project = await platformProject();
    const regions = ((await api().get('/v1/regions')).json as { items: Array<{ region: string }> }).items.map(
      (item) => item.region,
    );
    const answer = await project.client.post(project.base, {
      name: 'Ireland',
      region: 'eu-west-1',
      bucketName: 'acme-ireland',
    });
    expect(answer.status).toBe(400);
    const error = (answer.json as { error: { message: string; details: Array<{ field: string; issue: string }> } })
      .error;
    expect(error.details[0]).toMatchObject({
      field: 'region',
      issue: `must be a region the platform serves: ${regions.join(', ')}`,
    });
    expect(error.message).toContain(regions.join(', '));
  });
});
