/**
 * Attacker: a malicious customer whose bucket (or something answering for it) never stops
 * answering: a listing whose XML never ends, an object body without end, a digest trickled back
 * byte by byte, an export folder crowded with the customer's own keys. Each read the service makes
 * of the customer's bucket is bounded in bytes, pages and time, and fails with a clear code.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { customerS3Client } from '#shared/customer-bucket/customer-s3';
import { CustomerWrites } from '#shared/exports/worker/customer-writes';
import { checkReadAccess } from '#shared/validation/bucket-checks';
import { HOUR_MS } from '#shared/forwarding/audit-log-keys';
import { DIGEST_GRACE_MS, writeDueDigests } from '#shared/forwarding/digests/write-digests';
import { enableForwarding } from '../forwarding/support';
import { actAsFunctions } from '../support/function-roles';
import { clientsFor } from '../support/local-stack';
import { platformCluster, platformProject, type Project } from '../support/platform';
import { activeTarget } from './support/customers';
import { startHostileS3, withS3At } from './support/hostile-s3';
import { activeIntegration, REGION } from './support/tenants';

// The export worker, the validation stages and the digest writer run in this process, as their roles.
await actAsFunctions(['runExportJob', 'runValidationStage', 'signAuditLogDigests']);

let project: Project;
beforeAll(async () => {
  project = await platformProject();
});

describe('a bucket that answers without end', () => {
  const MiB = 1024 * 1024;

  it('a listing whose XML never ends is cut off at a bounded size instead of filling memory', async () => {
    const { target } = await activeTarget(project);
    const hostile = await startHostileS3({ listing: 'endless', objects: 'endless' });
    try {
      // Unbounded, the read would never end and the test's own timeout would fail it.
      const error = await withS3At(hostile.url, async () => {
        const { client } = customerS3Client(target, { prefixes: ['x/'], objectActions: ['s3:GetObject'] }, 'attack');
        return client.send(new ListObjectsV2Command({ Bucket: target.bucketName, Prefix: 'x/' })).then(
          () => undefined,
          (failure: unknown) => failure as Error,
        );
      });
      expect(error?.message).toMatch(/larger than \d+ bytes/);
      expect(hostile.bytesSent()).toBeLessThan(64 * MiB);
    } finally {
      await hostile.close();
    }
  });

  it('a probe object whose body never ends fails READ_ACCESS with PROBE_MISMATCH after a bounded read', async () => {
    const { target } = await activeTarget(project);
    const hostile = await startHostileS3({ listing: 'empty', objects: 'endless' });
    try {
      const outcome = await withS3At(hostile.url, () =>
        checkReadAccess({ ...target, runId: `${target.integrationId}-hostile` }),
      );
      expect(outcome.passed).toBe(false);
      if (!outcome.passed) expect(outcome.failure).toMatchObject({ stage: 'READ_ACCESS', code: 'PROBE_MISMATCH' });
      expect(hostile.bytesSent()).toBeLessThan(64 * MiB);
    } finally {
      await hostile.close();
    }
  });

  it('a digest already at its key, read back from a bucket that trickles it, is given up at its bound', async () => {
    const owner = await platformProject();
    const clusterId = await platformCluster(owner, { region: REGION });
    const { integration } = await activeIntegration(owner);
    await enableForwarding(owner, clusterId, integration.integrationId, 'trickled');
    const hostile = await startHostileS3({ listing: 'empty', objects: 'trickle', writes: 'keyTaken' });
    try {
      // The trickle never ends: only the 2 s bound ends the read (else the test's own timeout fails it).
      const outcome = await withS3At(hostile.url, () =>
        writeDueDigests(
          { projectId: owner.projectId, clusterId },
          { now: Date.now() + 2 * HOUR_MS + DIGEST_GRACE_MS, maxDigests: 1, bucketTimeoutMs: 2_000 },
        ),
      );
      // The read began (bytes trickled in), and ended at the bound; the digest stays due for a later run.
      expect(hostile.bytesSent()).toBeGreaterThan(0);
      expect(outcome).toMatchObject({ status: 'FAILED', written: 0, problemCode: 'DELIVERY_DELAYED' });
    } finally {
      await hostile.close();
    }
  });

  it(
    "the export's final check reads a bounded number of pages however many keys the customer put in the export " +
      'folder',
    async () => {
      const { target, accountId } = await activeTarget(project);
      const prefix = 'crowded/cl-1/bk-1/';
      const customerS3 = clientsFor(accountId).s3;
      const own = `${prefix}data/file.bin`;
      await customerS3.send(new PutObjectCommand({ Bucket: target.bucketName, Key: own, Body: 'abc' }));
      // The customer's own keys, before ours in key order.
      const junk = Array.from({ length: 450 }, (_, index) => `${prefix}a-junk-${String(index).padStart(4, '0')}`);
      for (let start = 0; start < junk.length; start += 50) {
        await Promise.all(
          junk
            .slice(start, start + 50)
            .map((key) => customerS3.send(new PutObjectCommand({ Bucket: target.bucketName, Key: key, Body: 'j' }))),
        );
      }
      const writes = new CustomerWrites({ ...target }, prefix);
      const send = vi.spyOn(S3Client.prototype, 'send');
      try {
        const { sizes, complete } = await writes.sizesOf(prefix, new Set([own]), AbortSignal.timeout(20_000), {
          pageSize: 100,
          extraPages: 2,
        });
        const listings = send.mock.calls.filter(([command]) => command instanceof ListObjectsV2Command).length;
        expect(listings).toBeLessThanOrEqual(3);
        expect(complete).toBe(false);
        expect([...sizes.keys()].every((key) => key === own)).toBe(true);
      } finally {
        send.mockRestore();
      }
    },
  );
});
