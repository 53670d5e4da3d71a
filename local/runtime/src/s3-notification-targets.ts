/**
 * The runtime's side of S3 event notifications (local/aws-endpoint/src/contract.ts NotificationTargets): S3
 * events go on the default event bus of the bucket owner's account, where the rules of
 * serverless.yml match them, and to the stack's queues. The local runtime models the buses and
 * queues of the service's own account and region only: an event for another account's default
 * bus finds no rules there, as it would find none of this service's rules in AWS.
 */
import { AwsError, type NotificationTargets } from '@s3-integrations/aws-endpoint/contract';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import type { LocalEventBridge } from '#runtime/eventbridge';
import { queuePolicyAllows } from '#runtime/queue-policies';
import type { LocalQueues } from '#runtime/sqs';

export function s3NotificationTargets(
  cloudFormation: LocalCloudFormation,
  eventBridge: LocalEventBridge,
  queues: LocalQueues,
): NotificationTargets {
  const { accountId, region } = cloudFormation.service;
  return {
    async putServiceEvent(event) {
      if (event.account === accountId && event.region === region) eventBridge.route(event, 'default');
    },
    checkQueue(queueArn, source) {
      const queue = queues.byArn(queueArn);
      if (!queue) return 'The destination queue does not exist';
      if (queue.name.endsWith('.fifo')) return 'FIFO queues are not supported as event notification destinations';
      const allowed = queuePolicyAllows(cloudFormation, {
        service: 's3.amazonaws.com',
        action: 'sqs:SendMessage',
        queueArn,
        queueUrl: queue.url,
        context: { 'aws:SourceArn': source.bucketArn, 'aws:SourceAccount': source.bucketOwner },
      });
      return allowed
        ? undefined
        : 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket';
    },
    async sendToQueue(queueArn, body) {
      const queue = queues.byArn(queueArn);
      if (!queue)
        throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', `The queue ${queueArn} does not exist.`, 400);
      queues.send(queue, [body]);
    },
  };
}
