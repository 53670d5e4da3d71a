/**
 * The endpoint's fault injection: requests failed, throttled, dropped or delayed on the actions a fault
 * is aimed at (switched through the admin API), and faults that strike after the request was served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '#endpoint/server';
import {
  CUSTOMER,
  PLATFORM,
  clientConfig,
  failure,
  recordingHooks,
  rootCredentials,
  startFixture,
  type Fixture,
} from './endpoint-fixture';
import { createBucket, rootS3, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterEach(() => fixture.endpoint.faults.clear());
afterAll(() => fixture.stop());

const sts = (maxAttempts = 1) => new STSClient({ ...clientConfig(fixture, rootCredentials(PLATFORM)), maxAttempts });
const admin = (method: string, body?: unknown) =>
  fetch(`${fixture.endpoint.url}/_local/faults`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('fault injection', () => {
  it('fails maxFaults requests, then lets the SDK retry succeed', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', services: ['sts'], maxFaults: 2 });
    const answer = await sts(3).send(new GetCallerIdentityCommand({}));
    expect(answer.Account).toBe(PLATFORM);
    expect(answer.$metadata.attempts).toBe(3);
  });

  it('answers InternalError 500 in the service protocol while faults remain', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', maxFaults: 1 });
    expect(await failure(sts().send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InternalError',
      status: 500,
    });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
  });

  it('throttles JSON services with ThrottlingException under slowdown', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'slowdown', services: ['kms'] });
    const kms = new KMSClient(clientConfig(fixture, rootCredentials(PLATFORM)));
    expect(await failure(kms.send(new CreateKeyCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      status: 400,
    });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
  });

  it('drops the connection without an answer', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'drop-connection', maxFaults: 1 });
    const dropped = await failure(sts().send(new GetCallerIdentityCommand({})));
    expect(dropped.status).toBeUndefined();
    expect(dropped.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('only hits the actions it is aimed at, and adds latency to them', async () => {
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', actions: ['sts:AssumeRole'] });
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
    fixture.endpoint.faults.set({ errorRate: 0, latencyMs: 200, actions: ['sts:GetCallerIdentity'] });
    const started = Date.now();
    await sts().send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('spreads faults evenly when asked: the first matching request, then one in every 1/errorRate', async () => {
    fixture.endpoint.faults.set({ errorRate: 0.3, mode: 'internal-error', services: ['sts'], spread: 'even' });
    const failed: number[] = [];
    for (let request = 1; request <= 20; request += 1) {
      const served = await sts()
        .send(new GetCallerIdentityCommand({}))
        .then(
          () => true,
          () => false,
        );
      if (!served) failed.push(request);
    }
    expect(failed).toEqual([1, 4, 7, 11, 14, 17]);
    expect(await (await admin('GET')).json()).toMatchObject({ spread: 'even', faultsInjected: 6 });
  });

  it('is switched on and off through the admin API, which checks what it is given', async () => {
    expect((await admin('PUT', { errorRate: 1, mode: 'slowdown', services: ['sts'] })).status).toBe(200);
    expect(await failure(sts().send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'Throttling',
      status: 400,
    });
    expect((await admin('DELETE')).status).toBe(204);
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
    expect((await admin('PUT', { errorRate: 2 })).status).toBe(400);
    expect((await admin('PUT', { mode: 'explode' })).status).toBe(400);
    expect((await admin('PUT', { timing: 'during' })).status).toBe(400);
    expect((await admin('PUT', { spread: 'sometimes' })).status).toBe(400);
    expect((await admin('PUT', { operations: 'UploadPart' })).status).toBe(400);
    const notJson = await fetch(`${fixture.endpoint.url}/_local/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    expect(await (await fetch(`${fixture.endpoint.url}/_local/health`)).json()).toEqual({ status: 'ok' });
  });
});

describe('faults after the request was served', () => {
  const customerS3 = (maxAttempts = 1) =>
    new S3Client({ ...clientConfig(fixture, rootCredentials(CUSTOMER)), forcePathStyle: true, maxAttempts });

  it(
    'stores the object, then cuts the connection: a create-only retry finds it there (412), and one version ' +
      'exists',
    async () => {
      const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('after-drop'));
      await rootS3(fixture, CUSTOMER).send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      fixture.endpoint.faults.set({
        errorRate: 1,
        mode: 'drop-connection',
        timing: 'after',
        services: ['s3'],
        operations: ['PutObject'],
        maxFaults: 1,
      });
      // The SDK retries the reset connection; the retry's condition meets the object the first attempt stored.
      const answer = await failure(
        customerS3(2).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'once', IfNoneMatch: '*' })),
      );
      expect(answer).toMatchObject({ name: 'PreconditionFailed', status: 412 });
      const head = await rootS3(fixture, CUSTOMER).send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
      expect(head.ContentLength).toBe(4);
      const { Versions = [] } = await rootS3(fixture, CUSTOMER).send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(Versions).toHaveLength(1);
    },
  );

  it('replaces the answer with the error after the write, delays it, and leaves other operations alone', async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('after-error'));
    fixture.endpoint.faults.set({
      errorRate: 1,
      mode: 'internal-error',
      timing: 'after',
      latencyMs: 150,
      services: ['s3'],
      operations: ['CreateMultipartUpload'],
    });
    const s3 = customerS3();
    const started = Date.now();
    expect(await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' })))).toMatchObject({
      name: 'InternalError',
      status: 500,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // The upload was created although its creator never learnt its id.
    const listed = await fetch(`${fixture.endpoint.url}/_local/s3/request-counts?bucket=${bucket}`);
    expect(await listed.json()).toEqual({ bucket, counts: { CreateBucket: 1, CreateMultipartUpload: 1 } });
    fixture.endpoint.faults.clear();
    const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(Uploads.map((upload) => upload.Key)).toEqual(['big']);
  });

  it('aims at one operation among those of the same IAM action', async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('operations'));
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', services: ['s3'], operations: ['UploadPart'] });
    const s3 = customerS3();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'small', Body: 'x' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' }));
    expect(
      await failure(
        s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'big', UploadId, PartNumber: 1, Body: 'part' })),
      ),
    ).toMatchObject({ status: 500 });
  });
});

describe('request counts', () => {
  it('counts every signed request a bucket received, per operation, whatever it answered', async () => {
    const owner = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(owner, uniqueBucket('counted'));
    const { UploadId } = await owner.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' }));
    for (const PartNumber of [1, 2, 2])
      await owner.send(new UploadPartCommand({ Bucket: bucket, Key: 'big', UploadId, PartNumber, Body: 'part' }));
    await owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'small', Body: 'x' }));
    await failure(owner.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing' })));
    const answer = await fetch(`${fixture.endpoint.url}/_local/s3/request-counts?bucket=${bucket}`);
    expect(await answer.json()).toEqual({
      bucket,
      counts: { CreateBucket: 1, CreateMultipartUpload: 1, UploadPart: 3, PutObject: 1, HeadObject: 1 },
    });
    expect((await fetch(`${fixture.endpoint.url}/_local/s3/request-counts`)).status).toBe(400);
    expect(await (await fetch(`${fixture.endpoint.url}/_local/s3/request-counts?bucket=never-used`)).json()).toEqual({
      bucket: 'never-used',
      counts: {},
    });
  });
});

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('admin API reachability', () => {
  it.skipIf(!externalAddress)('refuses admin calls that do not come from loopback', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-aws-admin-'));
    const endpoint = await startAwsEndpoint({ port: 0, host: '0.0.0.0', dataDir, hooks: recordingHooks() });
    try {
      const port = new URL(endpoint.url).port;
      expect((await fetch(`http://${externalAddress}:${port}/_local/health`)).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/_local/health`)).status).toBe(200);
    } finally {
      await endpoint.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('request usage', () => {
  it('counts the requests served per caller and action since the last reset, refused ones included', async () => {
    expect((await fetch(`${fixture.endpoint.url}/_local/usage`, { method: 'DELETE' })).status).toBe(204);
    await sts().send(new GetCallerIdentityCommand({}));
    await sts().send(new GetCallerIdentityCommand({}));
    fixture.endpoint.faults.set({ errorRate: 1, mode: 'internal-error', services: ['kms'], maxFaults: 1 });
    await failure(
      new KMSClient({ ...clientConfig(fixture, rootCredentials(PLATFORM)), maxAttempts: 1 }).send(
        new CreateKeyCommand({}),
      ),
    );
    const usage = (await (await fetch(`${fixture.endpoint.url}/_local/usage`)).json()) as {
      requests: Record<string, Record<string, number>>;
    };
    expect(usage.requests).toEqual({
      [`arn:aws:iam::${PLATFORM}:root`]: { 'sts:GetCallerIdentity': 2, 'kms:CreateKey': 1 },
    });
  });
});
