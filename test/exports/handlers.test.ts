/**
 * The event-driven export handlers with the fixtures in events/ (which also serve
 * `serverless invoke local`): what they do with events for unknown projects, malformed events and
 * malformed queue messages. Runs the real handlers in-process against the local stack's table.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as runExportJob } from '#functions/run-export-job/handler';
import { handler as startAutoExport } from '#functions/start-auto-export/handler';
import { exportOnBackupCompleted } from '#shared/exports/auto-export';
import { lambdaContext } from './support/lambda-events';
import { actAsFunctions } from '../support/function-roles';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['runExportJob', 'startAutoExport']);

const fixture = <T>(name: string): T => JSON.parse(readFileSync(`events/${name}.json`, 'utf8')) as T;
type BackupEvent = EventBridgeEvent<'Backup Completed', Record<string, string>>;

describe('start-auto-export', () => {
  it('does nothing for a cluster without a rule', async () => {
    const event = fixture<BackupEvent>('platform.backups/backup-completed');
    const fresh = { ...event, detail: { ...event.detail, projectId: `proj-${randomBytes(4).toString('hex')}` } };
    expect(await exportOnBackupCompleted(fresh)).toBe('no-rule');
    await expect(startAutoExport(fresh, lambdaContext(60_000))).resolves.toBeUndefined();
  });

  it('throws on a malformed event, so EventBridge retries and then dead-letters it', async () => {
    await expect(
      startAutoExport(fixture<BackupEvent>('platform.backups/backup-completed-malformed'), lambdaContext(60_000)),
    ).rejects.toThrow(
      new RegExp(
        'Malformed Backup Completed event: check .*bucket.*completedAt|' +
          'Malformed Backup Completed event: check .*completedAt.*bucket',
      ),
    );
  });
});

describe('run-export-job', () => {
  it('acknowledges a message for a missing job, and leaves a malformed one for the dead-letter queue', async () => {
    const event = fixture<SQSEvent>('aws.sqs/run-export-job');
    const result = await runExportJob(event, lambdaContext(60_000) as Context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]?.messageId }] });
  });
});
