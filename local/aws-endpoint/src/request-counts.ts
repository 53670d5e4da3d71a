/**
 * How many S3 requests of each operation every bucket received (signed and verified, whatever
 * they answered), for tests that must prove how often a client did something: "each part was
 * uploaded exactly once" is a count of UploadPart requests. AWS shows the same in a bucket's
 * CloudTrail data events or its request metrics. Read through `GET /_local/s3/request-counts`.
 */

/** Buckets remembered at most, so a long-running stack does not grow with every bucket a test makes. */
const MAX_BUCKETS = 10_000;

export interface RequestCounts {
  count(bucket: string | undefined, operation: string): void;
  /** Operation -> requests, for one bucket (empty when it got none). */
  of(bucket: string): Record<string, number>;
}

export function createRequestCounts(): RequestCounts {
  // Insertion order is age: the oldest bucket goes first once the bound is reached.
  const byBucket = new Map<string, Map<string, number>>();
  return {
    count(bucket, operation) {
      if (!bucket) return;
      let counts = byBucket.get(bucket);
      if (!counts) {
        if (byBucket.size >= MAX_BUCKETS) byBucket.delete(byBucket.keys().next().value ?? '');
        byBucket.set(bucket, (counts = new Map()));
      }
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    },
    of: (bucket) => Object.fromEntries(byBucket.get(bucket) ?? []),
  };
}
