/**
 * The event path through the running stack: the platform writes a file into its audit-log bucket,
 * S3 announces it on EventBridge (the bucket's configuration from serverless.yml's
 * custom.platformBuckets), AuditLogEventsRule queues it and deliverAuditLogs writes it into the
 * customer's bucket. The ledger says which path delivered each file: `event` means no schedule
 * tick was needed.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { handler as deliverAuditLogs } from '#functions/deliver-audit-logs/handler';
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
  auditLogEventBatch,
  customerObjectText,
  customerObjects,
  enableForwarding,
  expectedKey,
  forwardingPath,
  getForwarding,
  getIntegration,
  lambdaContext,
  ledgerEntries,
  minutesAgo,
  objectCreatedEvent,
  pause,
  versionCounts,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
  forwardingWorld,
} from './support';
import { actAsFunctions } from '../support/function-roles';

// The handler runs here, beside the stack's own consumer, as its function's role.
await actAsFunctions(['deliverAuditLogs']);

/** The S3 events of some files of the platform's bucket, as the event queue hands them over. */
const s3Event = (keys: string[]) => auditLogEventBatch(keys.map((key) => objectCreatedEvent(key)));

describe('audit-log delivery from S3 events', { timeout: 120_000 }, () => {
  it('delivers a file as it lands, from its event (not the schedule), with its content and checksum', async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    const customer = await activeIntegration(project);
    const directory = 'audit-logs/prod';
    const enabled = await enableForwarding(project, clusterId, customer.integration.integrationId, directory);
    expect(enabled.destination).toEqual({
      bucket: customer.integration.bucketName,
      prefix: `${directory}/${clusterId}/audit/`,
    });

    const file = await writeAuditLog(clusterId, new Date());
    const [delivered] = await waitForObjects(
      customer.accountId,
      customer.integration.bucketName,
      enabled.destination.prefix,
      1,
      10_000,
    );
    expect(delivered?.key).toBe(expectedKey(directory, clusterId, file));
    expect(await customerObjectText(customer.accountId, customer.integration.bucketName, delivered!.key)).toBe(
      file.body,
    );

    // The ledger is written right after the confirmed write, and says the file's event delivered it
    // (how soon is the forwarding bench's figure, bench/forwarding, not a bound here).
    const [entry] = await eventually(async () => {
      const entries = await ledgerEntries(project.projectId, clusterId);
      return entries.length > 0 ? entries : undefined;
    }, 'the ledger entry');
    expect(entry).toMatchObject({
      sourceKey: file.key,
      key: delivered?.key,
      via: 'event',
      outcome: 'written',
      size: Buffer.byteLength(file.body),
    });
    expect(entry?.sha256).toBe(createHash('sha256').update(file.body).digest('hex'));
    // S3 checked the SHA-256 the write named and keeps it: the customer can see it on the object.
    const { s3 } = clientsFor(customer.accountId, REGION);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: customer.integration.bucketName, Key: delivered!.key, ChecksumMode: 'ENABLED' }),
    );
    expect(Buffer.from(head.ChecksumSHA256 ?? '', 'base64').toString('hex')).toBe(entry?.sha256);

    const forwarding = await eventually(async () => {
      const view = await getForwarding(project, clusterId);
      return view.health.lastDeliveryAt ? view : undefined;
    }, 'the health of the delivery');
    expect(forwarding.health).toMatchObject({ consecutiveFailures: 0, lagSeconds: 0 });
    expect(forwarding.health.deliveryLatencySeconds).toEqual(expect.any(Number));
    const integration = await eventually(
      async () => {
        const view = await getIntegration(project, customer.integration.integrationId);
        return view.health?.lastDeliveryAt === forwarding.health.lastDeliveryAt ? view : undefined;
      },
      'the health roll-up',
      30_000,
    );
    expect(integration.health?.deliveryLatencySeconds).toBe(forwarding.health.deliveryLatencySeconds);
  });

  it('delivers a file uploaded 10 minutes after its timestamp, after newer ones were delivered', async () => {
    const { clusterId, customer, bucket, enabled } = await forwardingWorld('late');
    const newer = [await writeAuditLog(clusterId, minutesAgo(2)), await writeAuditLog(clusterId, new Date())];
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 2, 10_000);

    const late = await writeAuditLog(clusterId, minutesAgo(10));
    const delivered = await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 3, 10_000);
    expect(delivered.map((object) => object.key).sort()).toEqual(
      [late, ...newer].map((file) => expectedKey('late', clusterId, file)).sort(),
    );
    expect(await customerObjectText(customer.accountId, bucket, expectedKey('late', clusterId, late))).toBe(late.body);
  });

  it('delivers 1,000 files written by 10 writers out of order, each exactly once', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('many', { versioned: true });
    // Timestamps over the last 40 minutes, shuffled, then split between 10 writers.
    const times = Array.from({ length: 1000 }, (_, index) => new Date(Date.now() - 40 * 60_000 + index * 2_000));
    for (let index = times.length - 1; index > 0; index -= 1) {
      const other = Math.floor(Math.random() * (index + 1));
      [times[index], times[other]] = [times[other] as Date, times[index] as Date];
    }
    const written: AuditLogFile[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, writer) => {
        for (const time of times.slice(writer * 100, writer * 100 + 100))
          written.push(await writeAuditLog(clusterId, time, 1));
      }),
    );
    const delivered = await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1000, 60_000);
    expect(new Set(delivered.map((object) => object.key))).toEqual(
      new Set(written.map((file) => expectedKey('many', clusterId, file))),
    );
    const versions = await versionCounts(customer.accountId, bucket, enabled.destination.prefix);
    expect([...versions.values()].every((count) => count === 1)).toBe(true);
    const ledger = await eventually(async () => {
      const entries = await ledgerEntries(project.projectId, clusterId);
      return entries.length >= 1000 ? entries : undefined;
    }, 'the ledger of 1,000 files');
    expect(ledger).toHaveLength(1000);
    expect(new Set(ledger.map((entry) => entry.sourceKey)).size).toBe(1000);
  });

  it('counts an event that comes twice as delivered, without a second version', async () => {
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('twice', { versioned: true });
    const file = await writeAuditLog(clusterId, new Date());
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1, 10_000);
    await eventually(async () => (await ledgerEntries(project.projectId, clusterId)).length === 1, 'the ledger entry');

    const answer = await deliverAuditLogs(s3Event([file.key]), lambdaContext(30_000));
    expect(answer.batchItemFailures).toEqual([]);
    expect(await versionCounts(customer.accountId, bucket, enabled.destination.prefix)).toEqual(
      new Map([[expectedKey('twice', clusterId, file), 1]]),
    );
    // Still one entry for the file: the second delivery found the same bytes at the key.
    const entries = await ledgerEntries(project.projectId, clusterId);
    expect(entries.map((entry) => [entry.sourceKey, entry.outcome])).toEqual([[file.key, 'alreadyPresent']]);
  });

  it('delivers gzip-compressed files as .log.gz with Content-Encoding gzip when forwarding says so', async () => {
    const { project, clusterId, customer, enabled } = await forwardingWorld('zipped', { compression: 'gzip' });
    expect(enabled.compression).toBe('gzip');
    const file = await writeAuditLog(clusterId, new Date(), 50);
    const [delivered] = await waitForObjects(
      customer.accountId,
      customer.integration.bucketName,
      enabled.destination.prefix,
      1,
      10_000,
    );
    expect(delivered?.key).toBe(expectedKey('zipped', clusterId, file, '.log.gz'));
    const { s3 } = clientsFor(customer.accountId, REGION);
    const object = await s3.send(
      new GetObjectCommand({ Bucket: customer.integration.bucketName, Key: delivered!.key }),
    );
    expect(object.ContentEncoding).toBe('gzip');
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(stored.length).toBeLessThan(Buffer.byteLength(file.body));
    expect(gunzipSync(stored).toString('utf8')).toBe(file.body);
    const [entry] = await eventually(async () => {
      const entries = await ledgerEntries(project.projectId, clusterId);
      return entries.length > 0 ? entries : undefined;
    }, 'the ledger entry');
    expect(entry).toMatchObject({ size: stored.length, sha256: createHash('sha256').update(stored).digest('hex') });
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
    const file = await writeAuditLog(clusterId, new Date());

    await waitForObjects(accountId, created.bucketName, enabled.destination.prefix, 1, 10_000);
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
    const { project, clusterId, customer, bucket, enabled } = await forwardingWorld('off-test');
    await writeAuditLog(clusterId, new Date());
    await waitForObjects(customer.accountId, bucket, enabled.destination.prefix, 1, 10_000);

    const inUse = await project.client.delete(`${project.base}/${customer.integration.integrationId}`);
    expect(inUse.status).toBe(409);
    expect((inUse.json as { error: { code: string } }).error.code).toBe('INTEGRATION_IN_USE');

    expect((await project.client.delete(forwardingPath(project.projectId, clusterId))).status).toBe(204);
    const after = await writeAuditLog(clusterId, new Date());
    expect((await deliverAuditLogs(s3Event([after.key]), lambdaContext(30_000))).batchItemFailures).toEqual([]);
    await pause(3_000);
    expect(await customerObjects(customer.accountId, bucket, enabled.destination.prefix)).toHaveLength(1);
    expect((await project.client.get(forwardingPath(project.projectId, clusterId))).status).toBe(404);
    expect((await project.client.delete(`${project.base}/${customer.integration.integrationId}`)).status).toBe(204);
  });
});
