// GET /v1/regions: the regions the service serves (the stage parameter SERVED_REGIONS), public, in their order.
import { describe, expect, it } from 'vitest';
import { api, localStack } from '../support/local-stack';

describe('GET /v1/regions', () => {
  it('lists the served regions without a token, in the order of the stage parameter', async () => {
    const answer = await api().get('/v1/regions');
    expect(answer.status).toBe(200);
    const served = (localStack().environment.SERVED_REGIONS ?? '').split(',');
    expect(served.length).toBeGreaterThan(0);
    expect(answer.json).toEqual({ items: served.map((region) => ({ region })) });
  });
});
