/**
 * A deployment whose backups live under another folder layout (`backupPrefixLayout`) than the
 * default: the recordPlatformEvent handler takes a Backup Completed under the configured layout's
 * folder of its cluster and backup, and refuses one under the default layout's folder.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/record-platform-event/handler';
import { loadBackup } from '#shared/projects/project-store';
import { actAsFunctions } from '../support/function-roles';
import { lambdaContext } from '../support/lambda-context';

// Configuration is read on first use, after this line, in this file's own module registry.
process.env.BACKUP_PREFIX_LAYOUT = 'clusters/<clusterId>/backups/<backupId>/';

await actAsFunctions(['recordPlatformEvent']);

type PlatformEvent = EventBridgeEvent<string, Record<string, unknown>>;

function backupCompleted(prefix: (ids: { clusterId: string; backupId: string }) => string) {
  const event = JSON.parse(readFileSync('events/platform.backups/backup-completed.json', 'utf8')) as PlatformEvent;
  const ids = {
    projectId: `proj-${randomBytes(6).toString('hex')}`,
    clusterId: 'cl-layout',
    backupId: `bk-${randomBytes(4).toString('hex')}`,
  };
  return {
    ids,
    event: {
      ...event,
      id: randomBytes(16).toString('hex'),
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      detail: { ...event.detail, ...ids, prefix: prefix(ids), completedAt: new Date().toISOString() },
    },
  };
}

describe('a non-default backupPrefixLayout', () => {
  it("takes backups under the configured layout's folder and refuses the default layout's", async () => {
    const configured = backupCompleted(({ clusterId, backupId }) => `clusters/${clusterId}/backups/${backupId}/`);
    const defaultLayout = backupCompleted(({ clusterId, backupId }) => `backups/${clusterId}/${backupId}/`);
    await handler(configured.event, lambdaContext());
    await handler(defaultLayout.event, lambdaContext());
    const stored = ({ projectId, clusterId, backupId }: typeof configured.ids) =>
      loadBackup(projectId, clusterId, backupId);
    expect(await stored(configured.ids)).toMatchObject({
      prefix: `clusters/cl-layout/backups/${configured.ids.backupId}/`,
    });
    expect(await stored(defaultLayout.ids)).toBeUndefined();
  });
});
