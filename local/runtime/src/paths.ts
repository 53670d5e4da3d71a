/**
 * Where `npm start`, `npm run token` and the tests find the service and keep local state. The
 * runtime lives in the repository of the service it runs (at local/runtime/), so the service is
 * the repository's own serverless.yml; a runtime for another service would take these as options.
 */
import { join, resolve } from 'node:path';

/** src/ -> local/runtime/ -> local/ -> the repository. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../..');
/** Local state (JWT key, the AWS endpoint's IAM, KMS and S3 data); git-ignored. */
export const DEFAULT_DATA_DIR = join(REPOSITORY_ROOT, '.local');
export const DEFAULT_SERVERLESS_YML = join(REPOSITORY_ROOT, 'serverless.yml');
