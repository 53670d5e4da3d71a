/**
 * The AWS SDK alone, for bench/export.ts: lists a folder of small files and copies each with one
 * GetObject and one PutObject (32 in flight, the export's own concurrency), and nothing else: no
 * job, checkpoints, checksums or retries of ours. It shows how fast the SDK itself goes on this
 * machine, which bounds how fast an export built on it can go. Bundled and run like
 * export-worker.ts; prints {ms, cpuMs} as one JSON line.
 *   node sdk-copy-loop.mjs '<json: source {bucket, prefix}, destination {bucket, prefix, credentials}>'
 * The source is read with the environment's credentials (the stack's function environment).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

interface Job {
  source: { bucket: string; prefix: string };
  destination: {
    bucket: string;
    prefix: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  };
}

const CONCURRENCY = 32;
const job = JSON.parse(process.argv[2] ?? '') as Job;
const started = performance.now();
const source = new S3Client({ forcePathStyle: true });
const destination = new S3Client({ forcePathStyle: true, credentials: job.destination.credentials });

const keys: string[] = [];
let token: string | undefined;
do {
  const page = await source.send(
    new ListObjectsV2Command({ Bucket: job.source.bucket, Prefix: job.source.prefix, ContinuationToken: token }),
  );
  keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
  token = page.NextContinuationToken;
} while (token);

let next = 0;
const copyNext = async () => {
  while (next < keys.length) {
    const key = keys[next++] ?? '';
    const { Body } = await source.send(new GetObjectCommand({ Bucket: job.source.bucket, Key: key }));
    const body = await Body?.transformToByteArray();
    const target = `${job.destination.prefix}${key.slice(job.source.prefix.length)}`;
    await destination.send(
      new PutObjectCommand({ Bucket: job.destination.bucket, Key: target, Body: body, ContentLength: body?.length }),
    );
  }
};
await Promise.all(Array.from({ length: CONCURRENCY }, copyNext));

const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
