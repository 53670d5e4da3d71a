/**
 * The writes of an export to the customer's bucket, through the assumed customer role. The
 * session is narrowed to the export's own folder and to the actions an export needs; every call
 * carries ExpectedBucketOwner (added by customerS3Client); every body carries a CRC32 of the
 * source bytes (a header we computed, or for streamed parts a trailer the SDK computes as the
 * bytes go), which S3 verifies before it stores anything; with a KMS key every object is
 * encrypted with that key. Every object is created with `If-None-Match: *` (PutObject and
 * CompleteMultipartUpload alike): a retried or duplicated write never replaces an object or adds a
 * version; it meets 412 PreconditionFailed instead, and the caller checks what is there.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { BuildMiddleware, MetadataBearer } from '@smithy/types';
import { customerS3Client } from '#shared/customer-bucket/customer-s3';
import type { CustomerTarget } from '#shared/customer-bucket/types';

export const EXPORT_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'];
/** Listing the export folder's unfinished uploads, to abort those no checkpoint knows (orphan-uploads.ts). */
export const EXPORT_BUCKET_ACTIONS = ['s3:ListBucketMultipartUploads'];

/**
 * Whole-object bodies are sent with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (the signature covers
 * the headers, including the CRC32 checksum header, but not a SHA-256 of the body). Integrity comes
 * from that checksum, which S3 verifies against the bytes it receives, and from TLS in transit;
 * a signed SHA-256 of every byte would be computed twice more (by us, then by S3) for nothing,
 * and it is the largest CPU cost of a copy. The SDK makes the same choice for streamed uploads.
 */
const unsignedBodies: BuildMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
  const request = args.request as { headers?: Record<string, string>; body?: unknown };
  // Streamed bodies already go unsigned, with a trailing checksum (the SDK's aws-chunked framing).
  if (context.commandName === 'PutObjectCommand' && request.headers && request.body instanceof Uint8Array) {
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  }
  return next(args);
};

export interface StoredObject {
  size: number;
  /** `x-amz-checksum-crc32` as S3 reports it: whole-object, or `<crc of part crcs>-<parts>`. */
  crc32?: string;
}

export class CustomerWrites {
  private readonly client: S3Client;

  constructor(
    private readonly target: CustomerTarget,
    prefix: string,
  ) {
    this.client = customerS3Client(
      target,
      { prefixes: [prefix], objectActions: EXPORT_OBJECT_ACTIONS, bucketActions: EXPORT_BUCKET_ACTIONS },
      'export',
    ).client;
    this.client.middlewareStack.add(unsignedBodies, { step: 'build', name: 'unsignedExportBodies' });
  }

  private get encryption() {
    return this.target.kmsKeyArn
      ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.target.kmsKeyArn }
      : {};
  }

  /**
   * Creates the object (never replaces one: 412 PreconditionFailed when the key holds an object).
   * Answers the CRC32 S3 computed of what it stored (it refuses the body if that differs from ours).
   */
  async putObject(
    key: string,
    body: Buffer,
    crc32: string,
    signal: AbortSignal,
    contentType?: string,
  ): Promise<string | undefined> {
    const { ChecksumCRC32 } = await this.client.send(
      new PutObjectCommand({
        Bucket: this.target.bucketName,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType ?? 'application/octet-stream',
        ChecksumCRC32: crc32,
        IfNoneMatch: '*',
        ...this.encryption,
      }),
      { abortSignal: signal },
    );
    return ChecksumCRC32;
  }

  async createUpload(key: string, signal: AbortSignal): Promise<string> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.target.bucketName,
        Key: key,
        ContentType: 'application/octet-stream',
        // FULL_OBJECT: S3 keeps a CRC32 of the whole object (not only of each part), so the
        // verification compares whole-file checksums end to end.
        ChecksumAlgorithm: 'CRC32',
        ChecksumType: 'FULL_OBJECT',
        ...this.encryption,
      }),
      { abortSignal: signal },
    );
    if (!UploadId) throw new Error('CreateMultipartUpload returned no upload id');
    return UploadId;
  }

  /**
   * Sends a part as a stream. The SDK computes the CRC32 of the bytes as they go and sends it as a
   * trailing checksum (aws-chunked), which S3 verifies; the answer carries the ETag and the CRC32
   * S3 computed, which the caller compares with its own.
   */
  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    length: number,
    signal: AbortSignal,
  ): Promise<{ etag: string; crc32?: string }> {
    const { ETag, ChecksumCRC32 } = await this.client.send(
      new UploadPartCommand({
        Bucket: this.target.bucketName,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: length,
        ChecksumAlgorithm: 'CRC32',
      }),
      { abortSignal: signal },
    );
    if (!ETag) throw new Error('UploadPart returned no ETag');
    return { etag: ETag, crc32: ChecksumCRC32 };
  }

  /**
   * Creates the object from the parts, unless the key holds one (412 PreconditionFailed). S3
   * refuses the completion unless the assembled object has `size` bytes, and computes the whole
   * object's CRC32 from the parts, which the verification then compares with the source's. (The
   * whole-object CRC32 could also be sent here for S3 to check, but the local endpoint reads an
   * x-amz-checksum header on this request as the checksum of the XML body; comparing afterwards
   * checks the same thing.)
   */
  async completeUpload(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string; crc32: string }>,
    size: number,
    signal: AbortSignal,
  ): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.target.bucketName,
        Key: key,
        UploadId: uploadId,
        MpuObjectSize: size,
        IfNoneMatch: '*',
        MultipartUpload: {
          Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag, ChecksumCRC32: part.crc32 })),
        },
      }),
      { abortSignal: signal },
    );
  }

  async abortUpload(key: string, uploadId: string, signal: AbortSignal): Promise<void> {
    await this.client.send(
      new AbortMultipartUploadCommand({ Bucket: this.target.bucketName, Key: key, UploadId: uploadId }),
      {
        abortSignal: signal,
      },
    );
  }

  /**
   * The unfinished multipart uploads below `prefix` (key and upload id), at most `maxPages` pages
   * of 1,000: the export's folder holds one upload per large file of the backup at most, plus any
   * a crash left behind.
   */
  async openUploads(
    prefix: string,
    signal: AbortSignal,
    maxPages = 250,
  ): Promise<Array<{ key: string; uploadId: string }>> {
    const uploads: Array<{ key: string; uploadId: string }> = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let page = 0; page < maxPages; page += 1) {
      const answer = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.target.bucketName, Prefix: prefix, ...markers }),
        {
          abortSignal: signal,
        },
      );
      for (const upload of answer.Uploads ?? [])
        if (upload.Key && upload.UploadId) uploads.push({ key: upload.Key, uploadId: upload.UploadId });
      if (!answer.IsTruncated) break;
      markers = { KeyMarker: answer.NextKeyMarker, UploadIdMarker: answer.NextUploadIdMarker };
    }
    return uploads;
  }

  /**
   * Key -> size of the `wanted` objects below `prefix`, from a listing (one request per thousand
   * keys). The export folder is the customer's: it may also hold millions of keys of theirs, so the
   * listing keeps only the wanted keys and reads at most as many pages as the wanted keys fill plus
   * a few; `complete` is false when it stopped there, and the caller asks for the rest one by one.
   */
  async sizesOf(
    prefix: string,
    wanted: ReadonlySet<string>,
    signal: AbortSignal,
    bounds: { pageSize?: number; extraPages?: number } = {},
  ): Promise<{ sizes: Map<string, number>; complete: boolean }> {
    const pageSize = bounds.pageSize ?? 1000;
    const maxPages = Math.ceil(wanted.size / pageSize) + (bounds.extraPages ?? 5);
    const sizes = new Map<string, number>();
    let token: string | undefined;
    for (let pages = 0; pages < maxPages; pages += 1) {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.target.bucketName,
          Prefix: prefix,
          ContinuationToken: token,
          MaxKeys: pageSize,
        }),
        { abortSignal: signal },
      );
      for (const object of page.Contents ?? [])
        if (object.Key && wanted.has(object.Key)) sizes.set(object.Key, object.Size ?? -1);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (!token || sizes.size === wanted.size) return { sizes, complete: true };
    }
    return { sizes, complete: false };
  }

  /** What S3 stored: the size and checksum the verification compares with the source's. */
  async stat(key: string, signal: AbortSignal): Promise<StoredObject> {
    const head = await this.client.send(
      new HeadObjectCommand({ Bucket: this.target.bucketName, Key: key, ChecksumMode: 'ENABLED' }),
      { abortSignal: signal },
    );
    return { size: head.ContentLength ?? -1, crc32: head.ChecksumCRC32 };
  }
}
