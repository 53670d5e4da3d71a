/**
 * The recordPlatformEvent handler keeps the platform's projects and clusters as its EventBridge events
 * describe them: the newest event wins (ties broken by event id), replays change nothing, and a
 * malformed or unknown event throws so that it reaches the dead-letter queue.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/record-platform-event/handler';
import { loadCluster, loadOwnedCluster, loadProject } from '#shared/projects/project-store';
import { actAsFunctions } from '../support/function-roles';
import { lambdaContext } from '../support/lambda-context';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['recordPlatformEvent']);

type PlatformEvent = EventBridgeEvent<string, Record<string, unknown>>;

const fixture = (name: string): PlatformEvent => JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));

/** A fixture for a fresh project id, so parallel test files never share records. */
function freshProject(): { upserted: PlatformEvent; downgraded: PlatformEvent; projectId: string } {
  const projectId = `proj-${randomBytes(6).toString('hex')}`;
  const withProject = (event: PlatformEvent) => ({ ...event, detail: { ...event.detail, projectId } });
  return {
    projectId,
    upserted: withProject(fixture('platform.projects/project-upserted')),
    downgraded: withProject(fixture('platform.projects/project-downgraded-later')),
  };
}

describe('platform events', () => {
  it('records a project, and a newer event replaces it', async () => {
    const { projectId, upserted, downgraded } = freshProject();
    await handler(upserted, lambdaContext());
    expect(await loadProject(projectId)).toMatchObject({ plan: 'enterprise', orgId: 'org-example' });
    await handler(downgraded, lambdaContext());
    expect(await loadProject(projectId)).toMatchObject({ plan: 'standard' });
  });

  it('never lets an older event overwrite a newer one', async () => {
    const { projectId, upserted, downgraded } = freshProject();
    await handler(downgraded, lambdaContext());
    await handler(upserted, lambdaContext());
    expect(await loadProject(projectId)).toMatchObject({ plan: 'standard', eventId: downgraded.id });
  });

  it('changes nothing when an event is replayed', async () => {
    const { projectId, upserted } = freshProject();
    await handler(upserted, lambdaContext());
    const first = await loadProject(projectId);
    await handler(upserted, lambdaContext());
    expect(await loadProject(projectId)).toEqual(first);
  });

  it('breaks ties on time by event id, whatever the arrival order', async () => {
    const { projectId, upserted } = freshProject();
    const low = { ...upserted, id: 'a-event', detail: { ...upserted.detail, plan: 'enterprise' } };
    const high = { ...upserted, id: 'b-event', detail: { ...upserted.detail, plan: 'standard' } };
    await handler(high, lambdaContext());
    await handler(low, lambdaContext());
    expect((await loadProject(projectId))?.plan).toBe('standard');
  });

  it('records clusters with their region and tier', async () => {
    const event = fixture('platform.clusters/cluster-upserted');
    const projectId = `proj-${randomBytes(6).toString('hex')}`;
    await handler({ ...event, detail: { ...event.detail, projectId } }, lambdaContext());
    expect(await loadCluster(projectId, 'cl-example')).toMatchObject({ region: 'us-east-1', tier: 'dedicated' });
  });

  it('moves a cluster to the project of the newest event; an older event cannot move it back', async () => {
    const event = fixture('platform.clusters/cluster-upserted');
    const clusterId = `cl-${randomBytes(6).toString('hex')}`;
    const [first, second] = [`proj-${randomBytes(6).toString('hex')}`, `proj-${randomBytes(6).toString('hex')}`];
    const older = { ...event, detail: { ...event.detail, projectId: first, clusterId } };
    const newer = {
      ...event,
      id: `${event.id}-2`,
      time: '2026-11-24T11:00:00Z',
      detail: { ...event.detail, projectId: second, clusterId },
    };
    await handler(older, lambdaContext());
    expect(await loadOwnedCluster(first, clusterId)).toBeDefined();
    await handler(newer, lambdaContext());
    await handler(older, lambdaContext());
    expect(await loadOwnedCluster(first, clusterId)).toBeUndefined();
    expect(await loadCluster(first, clusterId)).toBeDefined();
    expect(await loadOwnedCluster(second, clusterId)).toMatchObject({ projectId: second });
  });

  it('throws on malformed or unknown events, so they reach the dead-letter queue', async () => {
    await expect(handler(fixture('platform.projects/project-malformed'), lambdaContext())).rejects.toThrow(
      /Malformed Project Upserted event: check detail.projectId|projectId/,
    );
    const unknown = { ...fixture('platform.projects/project-upserted'), source: 'platform.billing' };
    await expect(handler(unknown, lambdaContext())).rejects.toThrow(/Unexpected platform event/);
  });
});
