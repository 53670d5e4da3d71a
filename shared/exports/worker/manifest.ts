/**
 * The manifest is written last, after every file is copied and verified: its presence is what
 * tells the customer that the folder holds a complete export. It lists every file with its size
 * and whole-file CRC32 (base64 of the big-endian value, the form S3 shows as x-amz-checksum-crc32),
 * so anyone can check the export without trusting us. It names no platform bucket or path.
 * Like every object of the export it is created only where none is (`If-None-Match: *`), and its
 * bytes are the same on every retry (`completedAt` is fixed on the job the first time), so a retry
 * after a lost answer finds exactly its own manifest there.
 */
import type { ExportJob } from '#shared/exports/export-job';
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import { manifestKey } from '#shared/exports/destination';
import { verifyStored, type CopyEnv } from '#shared/exports/worker/copy-env';
import { crc32Of, toBase64 } from '#shared/exports/worker/crc32';
import { acceptExistingObject, isPreconditionFailed } from '#shared/exports/worker/existing-object';
import { withRetries } from '#shared/exports/worker/retry';

export const MANIFEST_FORMAT = 's3-integrations/backup-export-manifest/v1';

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  jobId: string;
  projectId: string;
  clusterId: string;
  backupId: string;
  completedAt: string;
  totals: { files: number; bytes: number };
  files: Array<{ name: string; key: string; size: number; checksum: { algorithm: 'CRC32'; value: string } }>;
}

export function buildManifest(
  job: ExportJob,
  files: Array<PlannedFile & { crc32?: string }>,
  completedAt: string,
): Manifest {
  return {
    format: MANIFEST_FORMAT,
    jobId: job.jobId,
    projectId: job.projectId,
    clusterId: job.clusterId,
    backupId: job.backupId,
    completedAt,
    totals: { files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) },
    files: files.map((file) => {
      if (!file.crc32) throw new Error(`file ${file.index} is not copied yet`);
      return {
        name: file.name,
        key: `${job.destination.prefix}${file.name}`,
        size: file.size,
        checksum: { algorithm: 'CRC32', value: file.crc32 },
      };
    }),
  };
}

/** Writes the manifest with the same checks as any file; returns its key. */
export async function writeManifest(env: CopyEnv, manifest: Manifest): Promise<string> {
  const key = manifestKey(env.exportFolder);
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const crc32 = toBase64(crc32Of(body));
  await withRetries(async () => {
    try {
      await env.access.step('PutObject', env.signal, () =>
        env.writes.putObject(key, body, crc32, env.signal, 'application/json'),
      );
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      return acceptExistingObject(env, key, { size: body.length, crc32 });
    }
    const stored = await env.access.step('HeadObject', env.signal, () => env.writes.stat(key, env.signal));
    verifyStored(stored, { size: body.length, crc32 }, 'the manifest');
  }, env.signal);
  return key;
}
