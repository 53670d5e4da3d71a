/**
 * The clusters and backups API on the local stack: a project's clusters, and the backups the
 * platform's Backup Completed events recorded, listed with pages to the project's readers; 404 to
 * anyone outside the project.
 */
import { describe, expect, it } from 'vitest';
import { api, mintToken } from '../support/local-stack';
import { eventually, platformCluster, platformProject, projectUser, publish } from '../support/platform';

describe('clusters and backups API', () => {
  it('lists the clusters of a project and the backups of a cluster to its readers, paginated', async () => {
    const project = await platformProject();
    const dedicated = await platformCluster(project, { region: 'us-west-2' });
    const serverless = await platformCluster(project, { tier: 'serverless' });
    const clusters = `/v1/projects/${project.projectId}/clusters`;

    const member = projectUser(project, 'member');
    const all = await member.get(clusters);
    expect(all.status, all.text).toBe(200);
    expect((all.json as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([
        { clusterId: dedicated, region: 'us-west-2', tier: 'dedicated' },
        { clusterId: serverless, region: 'us-east-1', tier: 'serverless' },
      ]),
    );
    const first = (await member.get(`${clusters}?limit=1`)).json as { items: unknown[]; nextToken?: string };
    expect(first.items).toHaveLength(1);
    const second = (await member.get(`${clusters}?limit=1&nextToken=${first.nextToken}`)).json as { items: unknown[] };
    expect(second.items).toHaveLength(1);
    expect(second.items).not.toEqual(first.items);

    const completedAt = new Date().toISOString();
    for (const backupId of ['bk-1', 'bk-2']) {
      await publish('platform.backups', 'Backup Completed', {
        projectId: project.projectId,
        clusterId: dedicated,
        backupId,
        bucket: 'platform-backups-console',
        prefix: `backups/${dedicated}/${backupId}/`,
        completedAt,
      });
    }
    const backups = `${clusters}/${dedicated}/backups`;
    const listed = await eventually(async () => {
      const answer = (await member.get(backups)).json as { items: unknown[] };
      return answer.items.length === 2 ? answer.items : undefined;
    }, 'backups were not recorded');
    expect(listed).toEqual([
      { clusterId: dedicated, backupId: 'bk-1', status: 'AVAILABLE', completedAt },
      { clusterId: dedicated, backupId: 'bk-2', status: 'AVAILABLE', completedAt },
    ]);
    // Another cluster's backups are not listed under this one.
    expect(((await member.get(`${clusters}/${serverless}/backups`)).json as { items: unknown[] }).items).toEqual([]);
  });

  it('answers 404 to anyone outside the project', async () => {
    const project = await platformProject();
    const stranger = api(mintToken({ sub: 'stranger', org: 'org-other', orgRole: 'owner', projects: {} }));
    expect((await stranger.get(`/v1/projects/${project.projectId}/clusters`)).status).toBe(404);
    expect((await stranger.get(`/v1/projects/${project.projectId}/clusters/cl-1/backups`)).status).toBe(404);
  });
});
