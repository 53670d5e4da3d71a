/**
 * Runs in every test worker before each test file loads: gives the worker the variables the
 * stack's functions run with, so a test that calls a handler in-process configures it exactly
 * as the running stack does (config is read when a module loads, hence before the tests).
 *
 * The credentials are the platform account's root, the test's own identity for setting things
 * up; a file that runs a handler in-process takes that function's role first (function-roles.ts),
 * since AWS would refuse root some of what functions do (AssumeRole) and let it do the rest.
 */
import { inject } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '@s3-integrations/aws-endpoint/contract';

const stack = inject('localStack');
if (stack) {
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE', 'AWS_SECURITY_TOKEN'])
    delete process.env[name];
  Object.assign(process.env, stack.environment, {
    // The platform account's root keys on the local endpoint (docs/product-contract.md §7): not secrets.
    AWS_ACCESS_KEY_ID: `LOCAL${PLATFORM_ACCOUNT_ID}`,
    AWS_SECRET_ACCESS_KEY: 'local',
    LOCAL_API_URL: stack.apiUrl,
    LOCAL_AWS_URL: stack.awsUrl,
    LOCAL_DYNAMODB_URL: stack.dynamodbUrl,
    LOCAL_JWT_KEY_DIR: stack.jwtKeyDir,
  });
}
