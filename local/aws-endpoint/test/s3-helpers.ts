/**
 * Shared set-up of the S3 tests: the real S3 client (path-style, default checksum settings)
 * against the local endpoint started by endpoint-fixture.ts.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { PolicyStatement } from '#endpoint/contract';
import {
  CUSTOMER,
  PLATFORM,
  assumeRole,
  clientConfig,
  createRole,
  functionSession,
  rootCredentials,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';

export function s3Client(fixture: Fixture, credentials: AwsCredentialIdentity, region = 'us-east-1'): S3Client {
  return new S3Client({ ...clientConfig(fixture, credentials), region, forcePathStyle: true });
}

export function rootS3(fixture: Fixture, accountId: string, region = 'us-east-1'): S3Client {
  return s3Client(fixture, rootCredentials(accountId), region);
}

/** An Allow statement of an identity policy. */
export const allow = (
  Action: string | string[],
  Resource: string | string[],
  Condition?: PolicyStatement['Condition'],
): PolicyStatement => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });

let roles = 0;
/**
 * The product's situation: a session of a new role in the customer's account (`account`) with
 * these statements, assumed by a platform function with an external ID.
 */
export async function customerRoleSession(
  fixture: Fixture,
  statements: PolicyStatement[],
  account = CUSTOMER,
): Promise<AwsCredentialIdentity> {
  roles += 1;
  const roleArn = await createRole(fixture, account, `customer-role-${roles}`, trustAccount(PLATFORM, 'ext-id'), {
    Version: '2012-10-17',
    Statement: statements,
  });
  return assumeRole(fixture, await functionSession(fixture), roleArn, { ExternalId: 'ext-id' });
}

let counter = 0;
/** A bucket name no other test uses. */
export const uniqueBucket = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${(counter += 1)}`;

export async function createBucket(client: S3Client, name: string, region?: string): Promise<string> {
  await client.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region && region !== 'us-east-1'
        ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
        : {}),
    }),
  );
  return name;
}

/** Deterministic pseudo-random bytes (fast, and different at every offset). */
export function patternBytes(size: number, seed = 1): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset + 4 <= size; offset += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    buffer.writeUInt32LE(state >>> 0, offset);
  }
  for (let offset = size - (size % 4); offset < size; offset += 1) buffer[offset] = offset & 0xff;
  return buffer;
}

/** A stream of `data` in pieces, as a file or socket would deliver it. */
export function streamOf(data: Buffer, pieceSize = 256 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += pieceSize)
    pieces.push(data.subarray(offset, offset + pieceSize));
  return Readable.from(pieces);
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function bodyBytes(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Files the emulator keeps for a bucket's object data and uploads (to prove nothing is left over). */
export function storedFiles(fixture: Fixture, bucket: string): { data: string[]; uploads: string[] } {
  const dir = join(fixture.dataDir, 's3', 'buckets', bucket);
  return { data: readdirSync(join(dir, 'data')), uploads: readdirSync(join(dir, 'uploads')) };
}
