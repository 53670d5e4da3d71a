/**
 * Attacker: whoever would forge an export dead letter. A message in ExportDeadLetterQueue ends its
 * job FAILED (endDeadLetteredExport) and carries only ids, so whoever could send one naming another
 * tenant's job could fail that tenant's export. Only SQS's redrive from ExportQueue puts messages
 * there: no function role holds sqs:SendMessage on it (the template test compares every role with
 * test/deployment/expected-permissions.ts), and no other account reaches it (no queue policy).
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { functionCredentials } from '../support/function-roles';
import { localStack, rootCredentials, uniqueAccountId } from '../support/local-stack';
import { EXPECTED_PERMISSIONS } from '../deployment/expected-permissions';

const deadLetterQueueUrl = () => {
  const url = localStack().environment.EXPORT_QUEUE_URL ?? '';
  if (!url.endsWith('/ExportQueue')) throw new Error('EXPORT_QUEUE_URL is not the stack export queue');
  return url.replace(/\/ExportQueue$/, '/ExportDeadLetterQueue');
};

const forgedDeadLetter = JSON.stringify({ projectId: 'proj-victim', jobId: `job-${'0'.repeat(32)}`, turn: 0 });

async function sendAs(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const sqs = new SQSClient({ endpoint: localStack().awsUrl, region: 'us-east-1', credentials });
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl(), MessageBody: forgedDeadLetter }));
    return 'sent';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('forged export dead letters', () => {
  it('no function role may send to ExportDeadLetterQueue', () => {
    const senders = Object.entries(EXPECTED_PERMISSIONS)
      .filter(([, statements]) => statements.includes('Allow sqs:SendMessage ExportDeadLetterQueue'))
      .map(([key]) => key);
    expect(senders).toEqual([]);
  });

  it(
    'the functions that send export messages (API, auto-export, worker, sweeper, dead-letter consumer) are ' +
      'refused SendMessage on ExportDeadLetterQueue',
    async () => {
      const credentials = await functionCredentials([
        'startBackupExport',
        'startAutoExport',
        'runExportJob',
        'sweepExportJobs',
        'endDeadLetteredExport',
      ]);
      expect(await sendAs(credentials)).toBe('AccessDenied');
    },
  );

  it("another account's root is refused SendMessage on ExportDeadLetterQueue", async () => {
    expect(await sendAs(rootCredentials(uniqueAccountId()))).toMatch(/AccessDenied/);
  });
});
