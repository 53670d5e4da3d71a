/**
 * An S3 error answer: AWS's code, message and status, plus the extra XML fields S3 puts in some
 * errors (`BucketName`, `Key`, `Endpoint`...) and headers such as `x-amz-bucket-region`.
 */
import { AwsError } from '#endpoint/contract';

export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    statusCode: number,
    readonly fields: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, statusCode);
    this.name = 'S3Error';
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });

export const noSuchKey = (key: string) =>
  new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

export const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted ' +
      'or completed.',
    404,
    { UploadId: uploadId },
  );

/** S3's AccessDenied, which names nothing (a policy decision's is notAuthorized in policy/authorize.ts). */
export const s3AccessDenied = () => new S3Error('AccessDenied', 'Access Denied', 403);

export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(
    'InvalidArgument',
    message,
    400,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
  );

export const invalidRequest = (message: string) => new S3Error('InvalidRequest', message, 400);

export const malformedXml = () =>
  new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );

export const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    Condition: condition,
  });

export const notImplemented = (what: string) =>
  new S3Error(
    'NotImplemented',
    `A header or query you provided implies functionality that is not implemented: ${what}`,
    501,
  );

/** AWS answers requests for a bucket in another region with a redirect that names the region. */
export const permanentRedirect = (bucket: string, region: string) =>
  new S3Error(
    'PermanentRedirect',
    'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all ' +
      'future requests to this endpoint.',
    301,
    { Bucket: bucket, Endpoint: `s3.${region}.amazonaws.com` },
    { 'x-amz-bucket-region': region },
  );
