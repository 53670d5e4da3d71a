/** The six validation stages in the customer's words, in the order they run. */
import type { StageName } from '../api/types';

export const STAGES: Array<{ name: StageName; title: string; proves: string }> = [
  {
    name: 'ASSUME_ROLE',
    title: 'Assume your role',
    proves: "the platform can act as the role with this integration's external ID",
  },
  {
    name: 'EXTERNAL_ID_ENFORCED',
    title: 'External ID enforced',
    proves: 'the role refuses anyone who does not know the external ID',
  },
  { name: 'BUCKET_LOCATION', title: 'Find the bucket', proves: "the bucket exists and belongs to the role's account" },
  { name: 'BUCKET_REGION', title: 'Bucket region', proves: "the bucket is in the integration's region" },
  {
    name: 'WRITE_ACCESS',
    title: 'Write access',
    proves: 'a small test file can be written (with the KMS key, if any)',
  },
  { name: 'READ_ACCESS', title: 'List and read access', proves: 'the test file can be listed and read back unchanged' },
];
