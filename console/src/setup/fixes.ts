/**
 * For each validation failure: what it means and the exact fix, in the customer's terms, built
 * from the failure's message (which names the action, resource or regions) and the integration's
 * own documents (so the statement to add is the one the customer should have pasted).
 */
import type { Integration, SetupDocuments, ValidationStage } from '../api/types';

export interface Fix {
  title: string;
  meaning: string;
  steps: string[];
  /** A policy document or statement to copy. */
  copy?: { label: string; value: unknown };
  /** The region the bucket really is in, for "create an integration in that region instead". */
  bucketRegion?: string;
}

type Statement = Record<string, unknown>;

const actionsOf = (statement: Statement) => ([] as unknown[]).concat(statement.Action ?? []).map(String);

/** The statement of the integration's IAM policy that grants `action`. */
function statementGranting(documents: SetupDocuments | undefined, action: string): Statement | undefined {
  return documents?.iamPolicy.Statement.find((statement) => actionsOf(statement).includes(action));
}

export function fixFor(stage: ValidationStage, integration: Integration, documents: SetupDocuments | undefined): Fix {
  const message = stage.message ?? '';
  const bucket = integration.bucketName;
  const role = integration.roleArn ?? 'the role';
  switch (stage.code) {
    case 'ROLE_ASSUMPTION_FAILED':
      return {
        title: 'The platform could not assume your role',
        meaning:
          `AWS refused to let the platform act as ${role}. Either the role does not exist under this ` +
          `ARN, or its trust policy does not trust the platform's account with this integration's external ` +
          `ID.`,
        steps: [
          'Check that the role ARN you pasted is the ARN of the role you created (IAM > Roles > your role > ARN).',
          "Open the role's Trust relationships and replace the trust policy with the one below, exactly.",
          'Then validate again.',
        ],
        ...(documents ? { copy: { label: 'Trust policy', value: documents.trustPolicy } } : {}),
      };
    case 'EXTERNAL_ID_NOT_ENFORCED':
      return {
        title: 'Your role can be assumed without the external ID',
        meaning:
          "The trust policy lets the platform's account assume the role with any external ID. Another " +
          'customer of the platform could then trick it into writing to your bucket (the confused-deputy ' +
          'problem).',
        steps: [
          'Add the sts:ExternalId condition to the trust policy: replace it with the one below.',
          'Then validate again.',
        ],
        ...(documents ? { copy: { label: 'Trust policy', value: documents.trustPolicy } } : {}),
      };
    case 'BUCKET_NOT_FOUND':
      return {
        title: `The bucket ${bucket} does not exist`,
        meaning: `No bucket named ${bucket} exists in the role's AWS account.`,
        steps: [
          `Create a general purpose bucket named ${bucket} in ${integration.region}, in the same AWS account ` +
            `as the role.`,
          'If the bucket has another name, create a new integration with the right name instead.',
          'Then validate again.',
        ],
      };
    case 'BUCKET_REGION_MISMATCH': {
      const [, want = integration.region, got] = /want\[([^\]]*)\] got\[([^\]]*)\]/.exec(message) ?? [];
      return {
        title: `The bucket is in ${got ?? 'another region'}, not ${want}`,
        meaning:
          `Exports and audit logs of clusters in ${want} go to buckets in ${want}. The bucket ` +
          `${bucket} is in ${got ?? 'a different region'}.`,
        steps: [
          `Either use a bucket in ${want}: create one there and create a new integration with its name,`,
          `or create a new integration for region ${got ?? "the bucket's region"} if your clusters run there.`,
        ],
        ...(got ? { bucketRegion: got } : {}),
      };
    }
    case 'KMS_ACCESS_DENIED':
      return {
        title: 'The bucket key cannot be used',
        meaning: `The bucket encrypts with an AWS KMS key, and the role is not allowed to use it. ${
          integration.kmsKeyArn
            ? ''
            : 'This integration was created without a KMS key ARN, so its policy has no KMS statement.'
        }`.trim(),
        steps: integration.kmsKeyArn
          ? [
              "Add the statement below to the role's policy.",
              `Make sure the key policy of ${integration.kmsKeyArn} lets your account's IAM policies grant ` +
                `access (the default key policy does), and that the key is enabled.`,
              'Then validate again.',
            ]
          : [
              'Create a new integration and give the ARN of the KMS key the bucket encrypts with; its policy ' +
                'then includes the KMS statement.',
            ],
        ...(integration.kmsKeyArn && statementGranting(documents, 'kms:GenerateDataKey')
          ? { copy: { label: 'Statement to add', value: statementGranting(documents, 'kms:GenerateDataKey') } }
          : {}),
      };
    case 'BUCKET_ACCESS_DENIED':
    case 'WRITE_ACCESS_DENIED':
    case 'LIST_ACCESS_DENIED':
    case 'READ_ACCESS_DENIED': {
      const [, action = 's3 access', resource = `arn:aws:s3:::${bucket}`] =
        /must allow (\S+) on (\S+?)(?:,|$|\s)/.exec(message) ?? [];
      const statement = statementGranting(documents, action);
      return {
        title: `The role is not allowed ${action}`,
        meaning: `The role's policy does not allow ${action} on ${resource}${
          stage.code === 'BUCKET_ACCESS_DENIED' ? ', or the bucket belongs to another AWS account than the role' : ''
        }.`,
        steps: [
          `Add the statement below to the policy attached to ${role} (IAM > Policies > your policy > Edit > JSON).`,
          ...(stage.code === 'BUCKET_ACCESS_DENIED'
            ? ['Check that the bucket was created in the same AWS account as the role.']
            : []),
          'Then validate again.',
        ],
        ...(statement ? { copy: { label: 'Statement to add', value: statement } } : {}),
      };
    }
    case 'PROBE_MISMATCH':
      return {
        title: 'Something changed the test file',
        meaning:
          'Validation wrote a small test file and read back different bytes: something in the bucket ' +
          'rewrites new objects.',
        steps: [
          'Check lifecycle rules, replication and other tools writing to this bucket; they must leave new ' +
            'objects as written.',
          'Then validate again.',
        ],
      };
    default:
      return {
        title: 'Validation could not finish',
        meaning:
          'A temporary problem on the way to AWS stopped the check before it could decide. Nothing is wrong ' +
          'with your setup as far as we know.',
        steps: ['Validate again in a few minutes.'],
      };
  }
}
