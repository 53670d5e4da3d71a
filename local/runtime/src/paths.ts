/** Where `npm start`, `npm run token` and the tests find the service and keep local state. */
import { join, resolve } from 'node:path';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');
/** Local state (JWT key, the AWS endpoint's IAM, KMS and S3 data); git-ignored. */
export const DEFAULT_DATA_DIR = join(REPOSITORY_ROOT, '.local');
export const DEFAULT_SERVERLESS_YML = join(REPOSITORY_ROOT, 'serverless.yml');
