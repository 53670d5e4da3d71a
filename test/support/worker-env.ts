/**
 * Runs in every test worker before its test files load: gives the worker the environment the
 * stack's functions run with, so a test that calls a handler in-process configures it exactly
 * as the running stack does (config is read when a module loads, hence before the tests).
 */
import { inject } from 'vitest';

const stack = inject('localStack');
if (stack) {
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SECURITY_TOKEN']) delete process.env[name];
  Object.assign(process.env, stack.environment, {
    LOCAL_API_URL: stack.apiUrl,
    LOCAL_AWS_URL: stack.awsUrl,
    LOCAL_DYNAMODB_URL: stack.dynamodbUrl,
    LOCAL_JWT_KEY_DIR: stack.jwtKeyDir,
  });
}
