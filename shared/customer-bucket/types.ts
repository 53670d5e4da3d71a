/** Types the customer-bucket modules share: an IAM policy document's JSON and the bucket to reach (CustomerTarget). */

/** An IAM policy document as JSON: the session policies sent with AssumeRole. */
export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

/**
 * What we need of an integration to reach its bucket: the role, external ID and key to use and the
 * account that must own the bucket. Built in one place (shared/integrations/customer-target.ts):
 * validation from the settings it tests, the workers from the settings validation proved.
 */
export interface CustomerTarget {
  integrationId: string;
  roleArn: string;
  externalId: string;
  bucketName: string;
  /** Every S3 call sends it as ExpectedBucketOwner. */
  bucketOwnerAccountId: string;
  region: string;
  kmsKeyArn?: string;
}
