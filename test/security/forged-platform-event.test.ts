/**
 * Attacker: a forged or replayed platform event that reaches the service from a producer account
 * (a producer's bug, or someone holding its credentials). Platform events decide tenancy (`Project
 * Upserted` puts a project in an organization) and what an export reads (`Backup Completed` names
 * a bucket and prefix), so whoever can send one could move a tenant's project into their own
 * organization or point an export at another tenant's backup. Events dated in the future or naming
 * files outside their backup's place are refused, logged and counted; the worker refuses a job
 * recorded before those checks existed; replays change nothing. (Events from accounts that are not
 * producers: forged-platform-event-outside-producers.test.ts.)
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { handler as recordPlatformEvent } from '#functions/record-platform-event/handler';
import type { ExportJob } from '#shared/exports/export-job';
import { planFiles } from '#shared/exports/worker/plan-files';
import { loadBackup, loadProject } from '#shared/projects/project-store';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import { createBucket } from '../support/customer';
import {
  eventually,
  PLATFORM_ACCOUNT,
  PLATFORM_EVENT_BUS,
  platformCluster,
  platformProject,
  publish,
} from '../support/platform';
import { smallFiles } from '../exports/support/backup-data';
import { customerKeys, exportWorld, platformBackup } from '../exports/support/export-stack';
import { lambdaContext } from '../support/lambda-context';
import { envelope, orgOf, put, refusalsOf, settle } from './support/platform-events';

// The in-process handlers below run with a narrower list of backup buckets than the stack's "any
// bucket of the platform account" (configuration is read on first use, after this line).
const stackBackupBuckets = process.env.BACKUP_BUCKETS;
process.env.BACKUP_BUCKETS = 'platform-backups-*';
afterAll(() => {
  process.env.BACKUP_BUCKETS = stackBackupBuckets;
});

describe('events from a producer that must still be refused', () => {
  it(
    'a Project Upserted dated a year ahead would outrank every later event: refused, logged, and later events ' +
      'still apply',
    async () => {
      const victim = await platformProject();
      const future = new Date(Date.now() + 365 * 24 * 3600 * 1000);
      const sent = await put(
        PLATFORM_ACCOUNT,
        PLATFORM_EVENT_BUS,
        'platform.projects',
        'Project Upserted',
        { projectId: victim.projectId, orgId: 'org-attacker', plan: 'enterprise' },
        future,
      );
      const [line] = await refusalsOf((sent as { eventId: string }).eventId);
      expect(line).toContain('FUTURE_TIME');
      expect(await orgOf(victim)).toBe(victim.orgId);
      // Events within one second are ordered by id: this one is dated two seconds on, well inside the skew.
      await publish(
        'platform.projects',
        'Project Upserted',
        { projectId: victim.projectId, orgId: victim.orgId, plan: 'standard' },
        { time: new Date(Date.now() + 2_000) },
      );
      await eventually(
        async () => (await loadProject(victim.projectId))?.plan === 'standard',
        'a later real event was not applied',
      );
    },
  );

  it(
    "a Backup Completed for the attacker's own cluster that points at another tenant's backup folder: refused, " +
      'nothing exported',
    async () => {
      const victimProject = await platformProject();
      const victimCluster = await platformCluster(victimProject);
      const victimBackup = await platformBackup(victimCluster, smallFiles('victim', 3));
      const attacker = await exportWorld();
      const rule = await attacker.project.client.put(
        `/v1/projects/${attacker.project.projectId}/clusters/${attacker.clusterId}/backup-export-rule`,
        {
          integrationId: attacker.integration.integrationId,
          directory: 'loot',
        },
      );
      expect(rule.status).toBe(200);
      const backupId = `bk-${randomBytes(4).toString('hex')}`;
      const detail = {
        projectId: attacker.project.projectId,
        clusterId: attacker.clusterId,
        backupId,
        bucket: victimBackup.bucket,
        prefix: victimBackup.prefix,
        completedAt: new Date().toISOString(),
      };
      const sent = await put(PLATFORM_ACCOUNT, PLATFORM_EVENT_BUS, 'platform.backups', 'Backup Completed', detail);
      const lines = await refusalsOf((sent as { eventId: string }).eventId);
      expect(lines.join('\n')).toContain('BACKUP_PREFIX_NOT_ALLOWED');
      await settle();
      expect(await loadBackup(attacker.project.projectId, attacker.clusterId, backupId)).toBeUndefined();
      const jobs = (await attacker.project.client.get(`/v1/projects/${attacker.project.projectId}/jobs`)).json as {
        items: unknown[];
      };
      expect(jobs.items).toEqual([]);
      expect(await customerKeys(attacker, 'loot/')).toEqual([]);
    },
  );

  it('a Backup Completed whose prefix is a sibling (bk-1 for bk-10) or parent of its folder: refused', async () => {
    for (const prefix of ['backups/cl-a/bk-1', 'backups/cl-a/', 'backups/cl-a/bk-10-other', 'backups/cl-b/bk-10']) {
      const projectId = `proj-${randomBytes(6).toString('hex')}`;
      const event = envelope('platform.backups', 'Backup Completed', {
        projectId,
        clusterId: 'cl-a',
        backupId: 'bk-10',
        bucket: 'platform-backups-a',
        prefix,
        completedAt: new Date().toISOString(),
      });
      await recordPlatformEvent(event, lambdaContext());
      expect(await loadBackup(projectId, 'cl-a', 'bk-10'), prefix).toBeUndefined();
    }
  });

  it('a Backup Completed naming a bucket outside the configured backup buckets: refused', async () => {
    const projectId = `proj-${randomBytes(6).toString('hex')}`;
    const event = envelope('platform.backups', 'Backup Completed', {
      projectId,
      clusterId: 'cl-a',
      backupId: 'bk-1',
      bucket: 'customer-data',
      prefix: 'backups/cl-a/bk-1',
      completedAt: new Date().toISOString(),
    });
    await recordPlatformEvent(event, lambdaContext());
    expect(await loadBackup(projectId, 'cl-a', 'bk-1')).toBeUndefined();
    const allowed = envelope('platform.backups', 'Backup Completed', {
      projectId,
      clusterId: 'cl-a',
      backupId: 'bk-1',
      bucket: 'platform-backups-a',
      prefix: 'backups/cl-a/bk-1',
      completedAt: new Date().toISOString(),
    });
    await recordPlatformEvent(allowed, lambdaContext());
    expect(await loadBackup(projectId, 'cl-a', 'bk-1')).toBeDefined();
  });

  it('a Backup Completed naming a bucket of another account (right layout): the export never reads it', async () => {
    const world = await exportWorld();
    const owner = uniqueAccountId();
    const bucket = `platform-backups-${randomBytes(4).toString('hex')}`;
    await createBucket(owner, bucket, 'us-east-1');
    const backupId = `bk-${randomBytes(4).toString('hex')}`;
    const prefix = `backups/${world.clusterId}/${backupId}`;
    await clientsFor(owner).s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/data.bin`, Body: 'not the platform' }),
    );
    await publish('platform.backups', 'Backup Completed', {
      projectId: world.project.projectId,
      clusterId: world.clusterId,
      backupId,
      bucket,
      prefix,
      completedAt: new Date().toISOString(),
    });
    const path = `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/${backupId}/export`;
    const started = await eventually(async () => {
      const answer = await world.project.client.post(path, {
        integrationId: world.integration.integrationId,
        directory: 'foreign',
      });
      return answer.status === 404 ? undefined : answer;
    }, 'the backup was not recorded');
    const { jobId } = started.json as { jobId: string };
    const job = await eventually(async () => {
      const view = (await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs/${jobId}`)).json as {
        status: string;
        error?: { code: string };
      };
      return view.status === 'FAILED' || view.status === 'SUCCEEDED' ? view : undefined;
    }, 'the export did not end');
    expect(job).toMatchObject({ status: 'FAILED', error: { code: 'BACKUP_UNREADABLE' } });
    expect(await customerKeys(world, 'foreign/')).toEqual([]);
  });
});

describe('jobs recorded before the checks existed', () => {
  it(
    "an export job whose stored source points at another backup's folder is refused by the worker before it " +
      'lists anything',
    async () => {
      const job = {
        jobId: 'job-0',
        projectId: 'p',
        clusterId: 'cl-a',
        backupId: 'bk-1',
        source: { bucket: 'platform-backups-a', prefix: 'backups/cl-b/bk-9/', region: 'us-east-1' },
      };
      await expect(planFiles(job as ExportJob, AbortSignal.timeout(5_000))).rejects.toMatchObject({
        code: 'BACKUP_LOCATION_REFUSED',
      });
    },
  );
});

describe('replayed events', () => {
  it('an old Project Upserted replayed after a newer one (moving the project back): ignored', async () => {
    const project = await platformProject();
    const older = envelope(
      'platform.projects',
      'Project Upserted',
      { projectId: project.projectId, orgId: 'org-previous-owner', plan: 'enterprise' },
      { time: new Date(Date.now() - 3_600_000) },
    );
    await recordPlatformEvent(older, lambdaContext());
    await recordPlatformEvent(older, lambdaContext());
    expect(await orgOf(project)).toBe(project.orgId);
  });

  it('a Backup Completed replayed ten times starts one export', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, smallFiles('replay', 2));
    await world.project.client.put(
      `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backup-export-rule`,
      { integrationId: world.integration.integrationId, directory: 'replayed' },
    );
    const detail = {
      projectId: world.project.projectId,
      clusterId: world.clusterId,
      backupId: backup.backupId,
      bucket: backup.bucket,
      prefix: backup.prefix,
      completedAt: new Date().toISOString(),
    };
    await Promise.all(Array.from({ length: 10 }, () => publish('platform.backups', 'Backup Completed', detail)));
    const jobs = await eventually(async () => {
      const page = (await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs`)).json as {
        items: Array<{ status: string }>;
      };
      return page.items.length > 0 && page.items.every((job) => job.status === 'SUCCEEDED') ? page.items : undefined;
    }, 'the export did not finish');
    await settle();
    expect(jobs).toHaveLength(1);
    expect(
      ((await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs`)).json as { items: unknown[] })
        .items,
    ).toHaveLength(1);
  });
});

describe('refused events are counted', () => {
  it('a refusal publishes the PlatformEventsRefused metric with its reason (metrics on, as deployed)', async () => {
    // The local stack turns metrics off (POWERTOOLS_METRICS_DISABLED): the check runs here with them on.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    try {
      const { acceptPlatformEvent } = await import('#shared/projects/platform-event-checks');
      const written: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
      let accepted: boolean;
      try {
        accepted = acceptPlatformEvent(
          envelope(
            'platform.projects',
            'Project Upserted',
            { projectId: 'p', orgId: 'o', plan: 'enterprise' },
            { time: new Date(Date.now() + 3_600_000) },
          ),
        );
      } finally {
        spy.mockRestore();
      }
      expect(accepted).toBe(false);
      const emf = written
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as object);
      expect(emf).toContainEqual(expect.objectContaining({ PlatformEventsRefused: 1 }));
      expect(emf).toContainEqual(expect.objectContaining({ PlatformEventsRefusedByReason: 1, reason: 'FUTURE_TIME' }));
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
