/**
 * The customer's bucket in export tests: writes into it slowed down (the endpoint's fault
 * injection, one setting for the whole endpoint), and what it holds after an export, as the
 * customer (or S3's own request count) sees it: the versions of each key, the requests it received.
 */
import { ListObjectVersionsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { clientsFor, localStack, setFaults } from '../../support/local-stack';
import { REGION, type ExportWorld } from './export-stack';

/** How many versions each key below `prefix` has. */
export async function versionsBelow(world: ExportWorld, prefix: string): Promise<Map<string, number>> {
  const { s3 } = clientsFor(world.accountId, REGION);
  const versions = new Map<string, number>();
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: world.integration.bucketName, Prefix: prefix, ...markers }),
    );
    for (const version of page.Versions ?? [])
      versions.set(version.Key ?? '', (versions.get(version.Key ?? '') ?? 0) + 1);
    if (!page.IsTruncated) return versions;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

export async function enableVersioning(world: ExportWorld): Promise<void> {
  const { s3 } = clientsFor(world.accountId, REGION);
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: world.integration.bucketName,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
}

/** The requests the local S3 counted for `bucket`, by operation. */
export async function requestCounts(bucket: string): Promise<Record<string, number>> {
  const answer = await fetch(`${localStack().awsUrl}/_local/s3/request-counts?bucket=${bucket}`);
  return ((await answer.json()) as { counts: Record<string, number> }).counts;
}

/** Every object and part written into the world's bucket takes `latencyMs` longer, until clearFaults(). */
export const slowWrites = (world: ExportWorld, latencyMs: number) =>
  setFaults({
    services: ['s3'],
    buckets: [world.integration.bucketName],
    operations: ['UploadPart', 'PutObject'],
    latencyMs,
    errorRate: 0,
  });
