export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

/** What we need of an integration to reach its bucket. */
export interface CustomerTarget {
  integrationId: string;
  roleArn: string;
  externalId: string;
  bucketName: string;
  region: string;
  kmsKeyArn?: string;
}
