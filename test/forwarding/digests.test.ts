/**
 * Hourly signed digests and the customer's verifier, through the running stack. The digests of the
 * hour in progress and the next one are written by the digest writer in-process with a clock set
 * past them (a test cannot wait for hours to end); everything else is the real thing: the local KMS
 * signs with the key of serverless.yml, the public key comes from the API, and the verifier reads
 * the customer's bucket with the customer's own credentials, as `npm run verify-audit-logs`.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, digestKey, hourStart } from '#shared/forwarding/audit-log-keys';
import { DIGEST_GRACE_MS, writeDueDigests } from '#shared/forwarding/digests/write-digests';
import { verifyAuditLogs, type Finding } from '#shared/forwarding/digests/verify-audit-logs';
import type { ForwardingView } from '#shared/forwarding/schemas';
import { api, clientsFor, localStack, rootCredentials } from '../support/local-stack';
import { eventually, platformCluster, platformProject } from '../support/platform';
import {
  REGION,
  activeIntegration,
  customerReader,
  enableForwarding,
  expectedKey,
  getForwarding,
  ledgerEntries,
  waitForObjects,
  writeAuditLog,
  type AuditLogFile,
  type Customer,
} from './support';
import { actAsFunctions } from '../support/function-roles';

// The digest writer runs here as its function's role: the only one allowed to sign.
await actAsFunctions(['signAuditLogDigests']);

const kinds = (findings: Finding[]) =>
  findings.map((finding) => `${finding.kind} ${'key' in finding ? finding.key : finding.digest}`).sort();

describe('signed hourly digests and the verifier', { timeout: 120_000 }, () => {
  let customer: Customer;
  let forwarding: ForwardingView;
  let files: AuditLogFile[];
  let s3: S3Client;
  let publicKey: { keyArn: string; publicKeyPem: string; keyFingerprint: string };
  const hour = hourStart(Date.now());
  const verify = () =>
    verifyAuditLogs(customerReader(s3, customer.integration.bucketName), {
      bucket: customer.integration.bucketName,
      prefix: forwarding.destination.prefix,
      publicKey: createPublicKey(publicKey.publicKeyPem),
      keyArn: publicKey.keyArn,
      now: new Date(hour.getTime() + 2 * HOUR_MS),
    });

  beforeAll(async () => {
    const project = await platformProject();
    const clusterId = await platformCluster(project);
    customer = await activeIntegration(project);
    forwarding = await enableForwarding(project, clusterId, customer.integration.integrationId, 'signed');
    files = [];
    for (let index = 0; index < 4; index += 1) files.push(await writeAuditLog(clusterId, new Date(), 2));
    await waitForObjects(
      customer.accountId,
      customer.integration.bucketName,
      forwarding.destination.prefix,
      files.length,
      10_000,
    );
    await eventually(
      async () => (await ledgerEntries(project.projectId, clusterId)).length === files.length,
      'the ledger of the files',
    );
    s3 = clientsFor(customer.accountId, REGION).s3;
    publicKey = (await api().get('/v1/audit-log-digests/public-key')).json as typeof publicKey;

    // The hour in progress and the next, as if two hours and the grace had passed.
    const written = await writeDueDigests(
      { projectId: project.projectId, clusterId },
      { now: hour.getTime() + 2 * HOUR_MS + DIGEST_GRACE_MS },
    );
    expect(written).toMatchObject({ status: 'WRITTEN', written: 2 });
    forwarding = await getForwarding(project, clusterId);
  });

  it('serves the public key of the KMS key that signs them', () => {
    expect(publicKey.keyArn).toMatch(/^arn:aws:kms:us-east-1:111111111111:key\//);
    expect(publicKey.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(createPublicKey(publicKey.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('writes a chain that verifies, listing each delivered file with its size and SHA-256', async () => {
    expect(forwarding.lastDigest).toEqual({
      hour: new Date(hour.getTime() + HOUR_MS).toISOString(),
      key: digestKey(forwarding.destination.prefix, new Date(hour.getTime() + HOUR_MS)),
    });
    const first = JSON.parse(
      await (
        await s3.send(
          new GetObjectCommand({
            Bucket: customer.integration.bucketName,
            Key: digestKey(forwarding.destination.prefix, hour),
          }),
        )
      ).Body!.transformToString(),
    );
    expect(first.files.map((file: { key: string }) => file.key)).toEqual(
      files.map((file) => expectedKey('signed', forwarding.clusterId, file)).sort(),
    );
    expect(first.previousDigest).toBeNull();
    const report = await verify();
    expect(report).toMatchObject({ ok: true, digests: 2, chains: 1, filesChecked: 4, findings: [], notYetCovered: [] });

    // The command a customer runs, with the customer's own credentials from the environment.
    const root = resolve(import.meta.dirname, '../..');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/verify-audit-logs.ts',
        '--bucket',
        customer.integration.bucketName,
        '--prefix',
        forwarding.destination.prefix,
        '--api-url',
        localStack().apiUrl,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_REGION: REGION,
          AWS_ENDPOINT_URL: localStack().awsUrl,
          AWS_ACCESS_KEY_ID: rootCredentials(customer.accountId).accessKeyId,
          AWS_SECRET_ACCESS_KEY: rootCredentials(customer.accountId).secretAccessKey,
        },
      },
    );
    expect(run.stdout).toContain('Result: everything verifies');
    expect(run.status, run.stderr).toBe(0);
  });

  it('reports a deleted, an altered and an inserted file, and a broken chain', async () => {
    const bucket = customer.integration.bucketName;
    const folder = forwarding.destination.prefix;
    const [deleted, altered] = files.map((file) => expectedKey('signed', forwarding.clusterId, file)).sort();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: deleted }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: altered, Body: '{"action":"nothing to see"}\n' }));
    const inserted = `${folder}${new Date().toISOString().slice(0, 10)}/00-00-00-planted.log`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: inserted, Body: '{"action":"planted"}\n' }));
    let report = await verify();
    expect(report.ok).toBe(false);
    expect(kinds(report.findings)).toEqual([`altered ${altered}`, `missing ${deleted}`, `unexpected ${inserted}`]);

    // Removing the first digest (and with it the record of its files) breaks the chain.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: digestKey(folder, hour) }));
    report = await verify();
    expect(report.findings.filter((finding) => finding.kind === 'brokenChain')).toEqual([
      {
        kind: 'brokenChain',
        digest: digestKey(folder, new Date(hour.getTime() + HOUR_MS)),
        detail: `its previous digest ${digestKey(folder, hour)} is missing`,
      },
    ]);

    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/verify-audit-logs.ts',
        '--bucket',
        bucket,
        '--prefix',
        folder,
        '--api-url',
        localStack().apiUrl,
      ],
      {
        cwd: resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_REGION: REGION,
          AWS_ENDPOINT_URL: localStack().awsUrl,
          AWS_ACCESS_KEY_ID: rootCredentials(customer.accountId).accessKeyId,
          AWS_SECRET_ACCESS_KEY: rootCredentials(customer.accountId).secretAccessKey,
        },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('BROKEN CHAIN');
    expect(run.stdout).toContain(`UNEXPECTED    ${inserted}`);
  });
});
