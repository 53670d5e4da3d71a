/** What the S3 emulator persists, as JSON sidecars next to the data files. */
import type { Checksums, ChecksumAlgorithm } from '#endpoint/s3/checksums';
import type { NotificationConfiguration } from '#endpoint/s3/notification-config';

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

/** A bucket's default encryption. Since 2023 every bucket defaults to SSE-S3 (AES256). */
export interface EncryptionRule {
  algorithm: SseAlgorithm;
  /** As configured: key ARN, key id or alias. Absent with aws:kms means the AWS managed key aws/s3. */
  kmsMasterKeyId?: string;
  bucketKeyEnabled: boolean;
}

/** Absent until versioning is first enabled; a bucket never returns to unversioned after that. */
export type VersioningStatus = 'Enabled' | 'Suspended';

export interface BucketRecord {
  name: string;
  ownerAccountId: string;
  region: string;
  createdAt: string;
  encryption: EncryptionRule;
  versioning?: VersioningStatus;
  notification?: NotificationConfiguration;
}

/** How one object (or upload) is encrypted. */
export interface SseState {
  algorithm: SseAlgorithm;
  kmsKeyArn?: string;
  bucketKeyEnabled?: boolean;
}

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** The representation headers S3 stores with an object and returns on GET/HEAD. */
export const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
] as const;
export type StoredHeaderName = (typeof STORED_HEADERS)[number];

export interface ObjectAttributes {
  headers: Partial<Record<StoredHeaderName, string>>;
  /** User metadata: `x-amz-meta-<name>` -> value, names lower-cased without the prefix. */
  metadata: Record<string, string>;
  sse: SseState;
}

export interface StoredObject extends ObjectAttributes {
  key: string;
  /** Absent for the null version (unversioned and versioning-suspended writes). */
  versionId?: string;
  size: number;
  /** Quoted, as S3 answers it: `"<md5 hex>"` or `"<md5 of part md5s>-<parts>"`. */
  etag: string;
  lastModified: string;
  /** File name of the bytes inside the bucket's data folder. */
  dataFile: string;
  /** Base64 values; composite ones end in `-<parts>`. */
  checksums: Checksums;
  checksumType?: ChecksumType;
  partsCount?: number;
}

/** What DeleteObject leaves on top of a key in a versioning bucket: no bytes, only a version. */
export interface DeleteMarker {
  key: string;
  /** Absent for the null version (versioning suspended). */
  versionId?: string;
  lastModified: string;
  deleteMarker: true;
}

export type ObjectVersion = StoredObject | DeleteMarker;

export const isDeleteMarker = (version: ObjectVersion): version is DeleteMarker =>
  (version as Partial<DeleteMarker>).deleteMarker === true;

export interface UploadRecord extends ObjectAttributes {
  uploadId: string;
  key: string;
  initiated: string;
  initiatorArn: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
}

export interface PartRecord {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: string;
  dataFile: string;
  checksums: Checksums;
}
