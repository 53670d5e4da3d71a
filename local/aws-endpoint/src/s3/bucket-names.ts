/**
 * S3's general-purpose bucket naming rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
import { S3Error } from '#endpoint/s3/errors';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be between 3 and 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return (
      'may contain only lowercase letters, numbers, dots and hyphens, and must begin and end with a ' +
      'letter or number'
    );
  }
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  if (RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'uses a reserved prefix';
  if (RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'uses a reserved suffix';
  return undefined;
}

export function assertValidBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) {
    throw new S3Error('InvalidBucketName', `The specified bucket is not valid: the name ${problem}.`, 400, {
      BucketName: name,
    });
  }
}

/** Region names as AWS spells them (`us-east-1`, `eu-west-1`, `us-gov-west-1`, `ap-southeast-4`). */
export function isRegionName(value: string): boolean {
  return /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/.test(value);
}
