/**
 * PutBucketNotificationConfiguration / GetBucketNotificationConfiguration (`?notification`).
 * A configuration replaces the previous one whole. Its destinations are checked as S3 checks
 * them (the queue must exist in the bucket's region, not be FIFO, and let s3.amazonaws.com
 * send for this bucket; SNS topics and Lambda functions are not served locally) unless
 * `x-amz-skip-destination-validation: true`; then every newly named queue gets S3's
 * `s3:TestEvent` message. Deliveries themselves: bucket-events.ts, notification-outbox.ts.
 */
import { requestIdOf } from '#endpoint/protocols';
import { accessBucket } from '#endpoint/s3/access';
import { bucketArn, header, type S3Request } from '#endpoint/s3/context';
import { S3Error } from '#endpoint/s3/errors';
import {
  parseNotificationConfiguration,
  renderNotificationConfiguration,
  type NotificationConfiguration,
} from '#endpoint/s3/notification-config';
import { testEventMessage, type RequestOrigin } from '#endpoint/s3/notification-events';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { readXmlBody } from '#endpoint/s3/xml';

export async function putBucketNotificationConfiguration(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:PutBucketNotification' });
  const configuration = parseNotificationConfiguration(await readXmlBody(request.signed.body, 1024 * 1024));
  const skipValidation = header(request, 'x-amz-skip-destination-validation')?.toLowerCase() === 'true';
  if (!skipValidation)
    assertDestinationsValid(request, bucket.record.ownerAccountId, bucket.record.region, configuration);
  const previous = new Set(bucket.record.notification?.rules.map((rule) => rule.arn) ?? []);
  const stored = configuration.eventBridge || configuration.rules.length > 0 ? configuration : undefined;
  // Saving runs alone on the bucket: every commit before it used the old configuration, every one after the new.
  await request.store.saveRecord(bucket, { ...bucket.record, notification: stored });
  if (!skipValidation) {
    const newQueues = new Set(
      configuration.rules.filter((rule) => rule.kind === 'queue' && !previous.has(rule.arn)).map((rule) => rule.arn),
    );
    for (const queueArn of newQueues) {
      // The destination was just validated; a test message the runtime cannot take now is not worth failing the call.
      await request.notifications
        .sendToQueue(queueArn, testEventMessage(bucket.name, requestIdOf(request.response)))
        .catch((error: unknown) => {
          console.error(
            `local S3: could not send the s3:TestEvent of ${bucket.name} to ${queueArn}: ` +
              `${error instanceof Error ? error.message : String(error)}`,
          );
        });
    }
  }
  sendEmpty(request.response, 200);
}

export async function getBucketNotificationConfiguration(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:GetBucketNotification' });
  sendXml(request.response, renderNotificationConfiguration(bucket.record.notification));
}

/**
 * S3 answers one InvalidArgument naming each destination it could not validate
 * (`ArgumentName1`/`ArgumentValue1`, ...).
 */
function assertDestinationsValid(
  request: S3Request,
  bucketOwner: string,
  region: string,
  configuration: NotificationConfiguration,
): void {
  const problems: Array<[string, string]> = [];
  for (const rule of configuration.rules) {
    const problem = destinationProblem(request, rule.kind, rule.arn, {
      bucketArn: bucketArn(request.bucketName),
      bucketOwner,
      region,
    });
    if (problem && !problems.some(([arn]) => arn === rule.arn)) problems.push([rule.arn, problem]);
  }
  if (problems.length === 0) return;
  const fields: Record<string, string> = {};
  problems.forEach(([arn, problem], index) => {
    fields[`ArgumentName${index + 1}`] = arn;
    fields[`ArgumentValue${index + 1}`] = problem;
  });
  throw new S3Error('InvalidArgument', 'Unable to validate the following destination configurations', 400, fields);
}

function destinationProblem(
  request: S3Request,
  kind: 'queue' | 'function' | 'topic',
  arn: string,
  source: { bucketArn: string; bucketOwner: string; region: string },
): string | undefined {
  if (kind === 'topic') return 'SNS topics are not served by the local stack';
  if (kind === 'function')
    return 'Lambda function destinations are not served by the local stack; use EventBridge or a queue';
  if (arn.split(':')[3] !== source.region) return 'The destination queue must be in the same region as the bucket';
  return request.notifications.checkQueue(arn, source);
}

/** Who and where an event-raising request came from. */
export function requestOrigin(request: S3Request): RequestOrigin {
  const address = request.signed.raw.socket.remoteAddress ?? '127.0.0.1';
  return {
    requestId: requestIdOf(request.response),
    caller: request.signed.caller,
    sourceIp: address.replace(/^::ffff:/, ''),
  };
}
