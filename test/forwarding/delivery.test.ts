/**
 * Delivery through the running stack: its schedule (every 2 s in tests) sends one message per
 * enabled cluster and the worker delivers from the cursor. Some cases also invoke the worker's
 * handler in-process, alongside the stack's own runs, as overlapping runs would in AWS.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { keys } from '#shared/table/keys';
import { handler as forwardAuditLogs } from '#functions/forward-audit-logs/handler';
import { clientsFor, uniqueAccountId } from '../support/local-stack';
import {
  createBucket,
  createIntegration,
  createKmsKey,
  customerSetUp,
  encryptBucketWith,
  setRoleAndWait,
  uniqueBucketName,
} from '../support/customer';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  REGION,
  activeIntegration,
  customerObjectText,
  customerObjects,
  enableForwarding,
  expectedKey,
  forwardingPath,
  getForwarding,
  getIntegration,
  lambdaContext,
  waitForObjects,
  workerEvent,
  writeAuditLog,
  type AuditLogFile,
} from './support';
import { actAsFunctions } from '../support/function-roles';

// Handlers run here as the stack runs them: as their function's role.
await actAsFunctions(['forwardAuditLogs']);

const HOUR = 3_600_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The start of the previous UTC hour: files around it are old enough to be due at once. */
const previousHourBoundary = () => new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);

describe('audit-log forwarding delivery', { timeout: 180_000 }, () => {
  it('delivers files across an hour boundary in order, under the customer key layout, with their content', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const directory = 'audit-logs/prod';
    const enabled = await enableForwarding(project, clusterId, customer.integration.integrationId, directory);
    expect(enabled.destination).toEqual({
      bucket: customer.integration.bucketName,
      prefix: `${directory}/${clusterId}/audit/`,
    });

    const boundary = previousHourBoundary().getTime();
    const files: AuditLogFile[] = [];
    // Written newest first: the order in the customer's bucket must follow the keys' times, not the writes.
    for (const offset of [61_000, 1_000, 0, -1_000, -2_000])
      files.push(await writeAuditLog(clusterId, new Date(boundary + offset)));
    const oldestFirst = [...files].sort((a, b) => a.writtenAt.getTime() - b.writtenAt.getTime());

    const prefix = enabled.destination.prefix;
    const delivered = await waitForObjects(customer.accountId, customer.integration.bucketName, prefix, files.length);
    const bucket = customer.integration.bucketName;
    const byKey = new Map(delivered.map((object) => [object.key, object]));
    const arrival = oldestFirst.map((file) =>
      byKey.get(expectedKey(directory, clusterId, file))?.lastModified.getTime(),
    );
    expect(arrival.every((time) => time !== undefined)).toBe(true);
    // Each file is written only after the one before it was confirmed.
    for (let index = 1; index < arrival.length; index += 1)
      expect(arrival[index]).toBeGreaterThanOrEqual(arrival[index - 1] as number);
    for (const file of files)
      expect(await customerObjectText(customer.accountId, bucket, expectedKey(directory, clusterId, file))).toBe(
        file.body,
      );
    // The hour folders of both sides: the boundary splits the files into two hours on both.
    const hours = new Set(
      oldestFirst.map((file) => expectedKey(directory, clusterId, file).split('/').at(-1)?.slice(0, 2)),
    );
    expect(hours.size).toBe(2);

    const forwarding = await getForwarding(project, clusterId);
    expect(forwarding.deliveredThrough).toBe(oldestFirst.at(-1)?.writtenAt.toISOString());
    expect(forwarding.health).toMatchObject({ consecutiveFailures: 0, lagSeconds: 0 });
    expect(forwarding.health.lastDeliveryAt).toBeDefined();
    // The scheduler rolls the cluster's health up to the integration on its next tick.
    const integration = await eventually(
      async () => {
        const view = await getIntegration(project, customer.integration.integrationId);
        return view.health?.lastDeliveryAt === forwarding.health.lastDeliveryAt ? view : undefined;
      },
      'the health roll-up',
      30_000,
    );
    expect(integration.health).toMatchObject({ consecutiveFailures: 0, lagSeconds: 0 });
  });

  it('writes nothing new when a window is run again, and the same keys when a run crashed before its checkpoint', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const enabled = await enableForwarding(project, clusterId, customer.integration.integrationId, 'logs');
    const start = Date.now() - 10 * 60_000;
    for (let index = 0; index < 4; index += 1) await writeAuditLog(clusterId, new Date(start + index * 1000));
    const bucket = customer.integration.bucketName;
    const first = await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 4);

    // Runs in-process, overlapping the stack's own scheduled runs: the lease lets one of them work.
    const context = lambdaContext();
    const answers = await Promise.all(
      [1, 2, 3].map(() => forwardAuditLogs(workerEvent([{ projectId: project.projectId, clusterId }]), context)),
    );
    for (const answer of answers) expect(answer.batchItemFailures).toEqual([]);
    await pause(5_000); // two more ticks of the stack's schedule
    expect(await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).toEqual(first);

    // A crash after the writes but before the checkpoint leaves the cursor behind: the window is
    // delivered again, to the same keys, so the customer still holds each file once.
    await dynamodb.send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.forwarding(project.projectId, clusterId),
        UpdateExpression: 'REMOVE #cursor',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
      }),
    );
    const again = await waitForObjectsRewritten(customer.accountId, bucket, enabled.destination.prefix, first);
    expect(again.map((object) => object.key)).toEqual(first.map((object) => object.key));
    expect(again.map((object) => object.etag)).toEqual(first.map((object) => object.etag));
  });

  it('writes under the customer KMS key of an SSE-KMS integration', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const accountId = uniqueAccountId();
    const kmsKeyArn = await createKmsKey(accountId, REGION);
    const created = await createIntegration(project, {
      region: REGION,
      bucketName: uniqueBucketName('fwdkms'),
      kmsKeyArn,
    });
    await createBucket(accountId, created.bucketName, REGION);
    await encryptBucketWith(accountId, created.bucketName, REGION, kmsKeyArn);
    const { roleArn } = await customerSetUp(created, { accountId, createBucket: false });
    expect((await setRoleAndWait(project, created.integrationId, roleArn)).status).toBe('ACTIVE');
    const enabled = await enableForwarding(project, clusterId, created.integrationId, 'kms');
    const file = await writeAuditLog(clusterId, new Date(Date.now() - 120_000));

    await waitForObjects(accountId, created.bucketName, enabled.destination.prefix, 1);
    const { s3 } = clientsFor(accountId, REGION);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: created.bucketName, Key: expectedKey('kms', clusterId, file) }),
    );
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(kmsKeyArn);
    expect(await customerObjectText(accountId, created.bucketName, expectedKey('kms', clusterId, file))).toBe(
      file.body,
    );
  });

  it('stops delivering when forwarding is turned off, and only then lets the integration be deleted', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const enabled = await enableForwarding(project, clusterId, customer.integration.integrationId, 'off-test');
    const bucket = customer.integration.bucketName;
    await writeAuditLog(clusterId, new Date(Date.now() - 120_000));
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1);

    const inUse = await project.client.delete(`${project.base}/${customer.integration.integrationId}`);
    expect(inUse.status).toBe(409);
    expect((inUse.json as { error: { code: string } }).error.code).toBe('INTEGRATION_IN_USE');

    expect((await project.client.delete(forwardingPath(project.projectId, clusterId))).status).toBe(204);
    await writeAuditLog(clusterId, new Date(Date.now() - 60_000));
    const context = lambdaContext();
    await forwardAuditLogs(workerEvent([{ projectId: project.projectId, clusterId }]), context);
    await pause(5_000);
    expect(await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).toHaveLength(1);
    expect((await project.client.get(forwardingPath(project.projectId, clusterId))).status).toBe(404);
    expect((await project.client.delete(`${project.base}/${customer.integration.integrationId}`)).status).toBe(204);
  });
});

/** Waits until every object was written again (a newer LastModified), and answers the new listing. */
async function waitForObjectsRewritten(
  accountId: string,
  bucket: string,
  prefix: string,
  before: Array<{ key: string; lastModified: Date }>,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await customerObjects(accountId, bucket, prefix);
    const rewritten =
      now.length === before.length &&
      now.every((object, index) => object.lastModified > (before[index]?.lastModified ?? now[0]!.lastModified));
    if (rewritten) return now;
    if (now.length !== before.length) throw new Error(`expected ${before.length} objects, found ${now.length}`);
    if (Date.now() > deadline) throw new Error('the window was not delivered again');
    await pause(200);
  }
}
