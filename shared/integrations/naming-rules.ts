/**
 * Naming rules of S3 and IAM that a request must meet before we store anything. Catching them here
 * turns a late, opaque validation failure into an immediate 400 that says what to fix.
 */

/** S3 general purpose bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lower-case letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name))
    return 'must not start with a reserved prefix (xn--, sthree-, amzn-s3-demo-)';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return 'must not end with a reserved suffix';
  return undefined;
}

/** arn:aws:iam::<12 digits>:role/<optional/path/>name, with IAM's character set and lengths. */
export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** A KMS key ARN (not an alias: IAM policies must name the key itself). */
export const KMS_KEY_ARN = new RegExp(
  '^arn:aws:kms:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12}):key\\/' +
    '(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
);

export function accountOfRoleArn(roleArn: string): string {
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (!account) throw new Error('not a role ARN');
  return account;
}

/** Printable text: no control or format characters (tabs and new lines allowed where `multiline`). */
export const printable = (value: string, multiline = false) =>
  multiline ? !/[\p{Cc}\p{Cf}]/u.test(value.replace(/[\n\t]/g, '')) : !/[\p{Cc}\p{Cf}]/u.test(value);
