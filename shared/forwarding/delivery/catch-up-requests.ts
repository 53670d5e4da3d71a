/**
 * Asks for a catch-up run of one cluster now (a message on ForwardingQueue), instead of waiting for
 * the scheduler's next tick: after an event found older files pending, after a resume, after a
 * run stopped for time. A message too many is harmless: the run takes the cluster's lease first.
 * Replay jobs go through the same queue, a slice per message.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#shared/aws/clients';
import { config } from '#shared/config';
import type { ForwardingRunMessage } from '#shared/forwarding/schemas';

async function send(message: ForwardingRunMessage, delaySeconds: number): Promise<void> {
  const queueUrl = config().FORWARDING_QUEUE_URL;
  if (!queueUrl) throw new Error('Invalid configuration: FORWARDING_QUEUE_URL is not set');
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }),
  );
}

export async function requestCatchUp(
  ref: { projectId: string; clusterId: string },
  reason: 'pending' | 'reconcile' = 'pending',
): Promise<void> {
  await send(
    {
      kind: 'catch-up',
      projectId: ref.projectId,
      clusterId: ref.clusterId,
      reason,
      requestedAt: new Date().toISOString(),
    },
    0,
  );
}

/** The next slice of a replay job, at once or after a pause (the bucket failing, forwarding paused). */
export async function requestReplaySlice(
  ref: { projectId: string; clusterId: string; replayId: string },
  delaySeconds = 0,
): Promise<void> {
  await send(
    { kind: 'replay', projectId: ref.projectId, clusterId: ref.clusterId, replayId: ref.replayId },
    delaySeconds,
  );
}
