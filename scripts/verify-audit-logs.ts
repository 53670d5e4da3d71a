/**
 * `npm run verify-audit-logs -- --bucket <bucket> --prefix <directory>/<clusterId>/audit/`
 *
 * Checks a forwarding folder in the customer's own bucket with the customer's own credentials (the
 * standard AWS environment or profile: AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_REGION; against the
 * local stack also AWS_ENDPOINT_URL): the chain of signed hourly digests and every file they list
 * (shared/forwarding/digests/verify-audit-logs.ts). The platform's public key comes from the API
 * (`--api-url`, default S3_INTEGRATIONS_API_URL or the local stack's http://127.0.0.1:3000) or
 * from a PEM file (`--public-key-file`). `--json` prints the report as JSON.
 *
 * Exit status: 0 when everything verifies, 1 when something is missing, altered, unexpected or the
 * chain is broken, 2 when the check could not run (bad arguments, no access).
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { digestPublicKeyView } from '#shared/forwarding/schemas';
import {
  verifyAuditLogs,
  type BucketReader,
  type Finding,
  type VerificationReport,
} from '#shared/forwarding/digests/verify-audit-logs';

const USAGE =
  'usage: npm run verify-audit-logs -- --bucket <bucket> --prefix <directory>/<clusterId>/audit/ ' +
  '[--api-url <url> | --public-key-file <pem>] [--region <region>] [--json]';

class UsageError extends Error {}

/** S3 bucket names and a relative key prefix: nothing else reaches the S3 client. */
function checkedArguments(values: Record<string, string | boolean | undefined>) {
  const bucket = String(values.bucket ?? '');
  const prefix = String(values.prefix ?? '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new UsageError(`--bucket must be an S3 bucket name\n${USAGE}`);
  if (
    prefix === '' ||
    prefix.startsWith('/') ||
    prefix.length > 1024 ||
    prefix.split('/').some((part) => part === '..' || part === '.')
  ) {
    throw new UsageError(`--prefix must be the forwarding's folder, e.g. logs/<clusterId>/audit/\n${USAGE}`);
  }
  return { bucket, prefix: prefix.endsWith('/') ? prefix : `${prefix}/` };
}

async function publicKeyFrom(
  values: Record<string, string | boolean | undefined>,
): Promise<{ key: KeyObject; keyArn?: string }> {
  if (typeof values['public-key-file'] === 'string')
    return { key: createPublicKey(readFileSync(values['public-key-file'], 'utf8')) };
  const apiUrl = String(values['api-url'] ?? process.env.S3_INTEGRATIONS_API_URL ?? 'http://127.0.0.1:3000').replace(
    /\/$/,
    '',
  );
  const answer = await fetch(`${apiUrl}/v1/audit-log-digests/public-key`);
  if (!answer.ok)
    throw new UsageError(
      `could not read the platform's public key from ${apiUrl} (HTTP ${answer.status}); ` +
        `give --api-url or --public-key-file`,
    );
  const view = digestPublicKeyView.parse(await answer.json());
  return { key: createPublicKey(view.publicKeyPem), keyArn: view.keyArn };
}

function s3Reader(s3: S3Client, bucket: string): BucketReader {
  return {
    async list(prefix) {
      const objects = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? [])
          objects.push({
            key: object.Key ?? '',
            size: object.Size ?? 0,
            lastModified: object.LastModified ?? new Date(0),
          });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return objects;
    },
    async read(key, maxBytes) {
      const { Body, ContentLength, Metadata } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body || ContentLength === undefined || ContentLength > maxBytes) {
        (Body as { destroy?: () => void } | undefined)?.destroy?.();
        return undefined;
      }
      return { body: await Body.transformToByteArray(), metadata: Metadata ?? {} };
    },
  };
}

function describe(finding: Finding): string {
  switch (finding.kind) {
    case 'missing':
      return `MISSING       ${finding.key} (listed in ${finding.digest})`;
    case 'altered':
      return (
        `ALTERED       ${finding.key}: ${finding.found.size} bytes, SHA-256 ${finding.found.sha256}; ` +
        `${finding.digest} says ${finding.expected.size} bytes, ${finding.expected.sha256}`
      );
    case 'unexpected':
      return `UNEXPECTED    ${finding.key}: no digest lists it`;
    case 'brokenChain':
      return `BROKEN CHAIN  ${finding.digest}: ${finding.detail}`;
    case 'invalidDigest':
      return `BAD DIGEST    ${finding.digest}: ${finding.detail}`;
  }
}

export function printReport(report: VerificationReport, where: string): void {
  console.log(
    `${where}: ${report.digests} digests in ${report.chains} chain(s), ` +
      `${report.filesChecked} files listed by them` +
      `${report.newestDigestHour ? `, newest digest ${report.newestDigestHour}` : ''}`,
  );
  for (const finding of report.findings) console.log(describe(finding));
  if (report.notYetCovered.length > 0)
    console.log(
      `${report.notYetCovered.length} file(s) delivered after the newest digest's hours: a later digest will list them`,
    );
  for (const note of report.notes) console.log(`note: ${note}`);
  console.log(report.ok ? 'Result: everything verifies' : `Result: ${report.findings.length} problem(s)`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      'api-url': { type: 'string' },
      'public-key-file': { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const { bucket, prefix } = checkedArguments(values);
  const publicKey = await publicKeyFrom(values);
  // Path-style addressing against a local endpoint (AWS_ENDPOINT_URL), as the local stack requires.
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const s3 = new S3Client({
    ...(values.region ? { region: values.region } : {}),
    ...(endpoint ? { forcePathStyle: true } : {}),
  });
  const report = await verifyAuditLogs(s3Reader(s3, bucket), {
    bucket,
    prefix,
    publicKey: publicKey.key,
    ...(publicKey.keyArn ? { keyArn: publicKey.keyArn } : {}),
  });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, `s3://${bucket}/${prefix}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof UsageError || error instanceof TypeError
        ? error.message
        : `verification could not run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    process.exit(2);
  },
);
