/**
 * POST .../audit-log-forwarding/replay through the running stack: a job that delivers a window again
 * to the same keys. On a versioned bucket nothing the customer still holds gets a second version;
 * a file the customer lost is written again.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ReplayView } from '#shared/forwarding/schemas';
import { clientsFor } from '../support/local-stack';
import { eventually, type Project } from '../support/platform';
import {
  REGION,
  customerObjectText,
  expectedKey,
  forwardingPath,
  versionCounts,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
  forwardingWorld,
} from './support';

async function replayUntilDone(
  project: Project,
  clusterId: string,
  window: { from: string; to: string },
): Promise<ReplayView> {
  const path = `${forwardingPath(project.projectId, clusterId)}/replay`;
  const started = await project.client.post(path, window);
  expect(started.status, started.text).toBe(202);
  const { replayId } = started.json as ReplayView;
  return eventually(
    async () => {
      const view = (await project.client.get(`${path}/${replayId}`)).json as ReplayView;
      return view.status === 'RUNNING' ? undefined : view;
    },
    'the replay to finish',
    30_000,
  );
}

describe('audit-log replay', { timeout: 120_000 }, () => {
  it('leaves one version per key on a versioned bucket, and writes again only what the bucket lost', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('replayed', { versioned: true });
    const recent: AuditLogFile[] = [];
    for (let index = 0; index < 3; index += 1) recent.push(await writeAuditLog(clusterId, new Date()));
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, recent.length, 10_000);
    const window = { from: enabled.enabledAt };
    const to = new Date(Date.now() + 1000).toISOString();
    const first = await replayUntilDone(project, clusterId, { from: window.from, to });
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      progress: { filesDelivered: 0, filesAlreadyPresent: recent.length },
    });
    expect(first.progress.hoursDone).toBe(first.progress.hoursTotal);
    const versions = await versionCounts(customer.accountId, bucket, enabled.destination.prefix);
    expect([...versions.values()]).toEqual(Array.from({ length: recent.length }, () => 1));

    // The customer loses one file: a replay writes it again, and nothing else.
    const lost = expectedKey('replayed', clusterId, recent[1] as AuditLogFile);
    await clientsFor(customer.accountId, REGION).s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: lost }));
    const second = await replayUntilDone(project, clusterId, { from: window.from, to });
    expect(second.progress).toMatchObject({ filesDelivered: 1, filesAlreadyPresent: recent.length - 1 });
    expect(await customerObjectText(customer.accountId, bucket, lost)).toBe(recent[1]?.body);
    const after = await versionCounts(customer.accountId, bucket, enabled.destination.prefix);
    // the version, the delete marker, the replayed version
    for (const [key, count] of after) expect(count, key).toBe(key === lost ? 3 : 1);
  });
});
