/**
 * The forwarding workers with the fixtures in events/: each message of a batch is its own work, and
 * only a message that cannot be read (here: malformed) is reported back to SQS for retry and, in
 * the end, the dead-letter queue; the valid one next to it succeeds, even for a cluster nobody
 * forwards. The scheduler's tick reaches every enabled cluster and no other.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as deliverAuditLogs } from '#functions/deliver-audit-logs/handler';
import { handler as forwardAuditLogs } from '#functions/forward-audit-logs/handler';
import { handler as scheduleAuditLogForwarding } from '#functions/schedule-audit-log-forwarding/handler';
import { handler as signAuditLogDigests } from '#functions/sign-audit-log-digests/handler';
import { loadEnabledForwardings } from '#shared/forwarding/forwarding-store';
import { platformCluster, platformProject } from '../support/platform';
import { activeIntegration, enableForwarding, forwardingPath, lambdaContext } from './support';
import { actAsFunctions } from '../support/function-roles';

// Handlers run here as the stack runs them: as their functions' roles (one role holding all four).
await actAsFunctions(['deliverAuditLogs', 'forwardAuditLogs', 'scheduleAuditLogForwarding', 'signAuditLogDigests']);

const fixture = <T>(path: string) =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../events', path), 'utf8')) as T;

describe('forwarding handlers with the event fixtures', () => {
  it('reports only the malformed message of a batch as failed', async () => {
    for (const [handler, path] of [
      [forwardAuditLogs, 'aws.sqs/forward-audit-logs.json'],
      [deliverAuditLogs, 'aws.sqs/deliver-audit-logs.json'],
    ] as const) {
      const event = fixture<SQSEvent>(path);
      const answer = await handler(event, lambdaContext());
      expect(answer.batchItemFailures, path).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    }
    const digests = fixture<SQSEvent>('aws.sqs/sign-audit-log-digests.json');
    expect((await signAuditLogDigests(digests, lambdaContext())).batchItemFailures).toEqual([]);
  });

  it('ticks every enabled cluster, and no cluster whose forwarding is off', async () => {
    const project = await platformProject();
    const [on, off] = [await platformCluster(project), await platformCluster(project)];
    const customer = await activeIntegration(project);
    await enableForwarding(project, on, customer.integration.integrationId, 'tick');
    await enableForwarding(project, off, customer.integration.integrationId, 'tick');
    expect((await project.client.delete(forwardingPath(project.projectId, off))).status).toBe(204);

    const scheduled = await loadEnabledForwardings();
    expect(scheduled.filter((ref) => ref.projectId === project.projectId).map((ref) => ref.clusterId)).toEqual([on]);
    const tick = await scheduleAuditLogForwarding(
      fixture<ScheduledEvent>('aws.events/scheduled-forwarding-tick.json'),
      lambdaContext(),
    );
    expect(tick.failed).toBe(0);
    expect(tick.clusters).toBeGreaterThanOrEqual(1);
  });
});
