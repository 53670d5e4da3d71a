/**
 * Starts ONE local stack for the whole test run, as `npm start` does (local/runtime/src/child-stack.ts),
 * and shares its URLs and function environment with the workers (`inject('localStack')`, and
 * process.env via worker-env.ts). A child process keeps the handlers out of vitest's module graph.
 * LOCAL_STACK=off skips it for runs that do not need it.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startChildStack } from '@s3-integrations/local-runtime/child-stack';
import type { LocalStackInfo } from './local-stack';
import { describeFindings, findSecrets } from './secret-scan';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.LOCAL_STACK === 'off') {
    project.provide('localStack', null);
    return undefined;
  }
  const stack = await startChildStack({
    LOCAL_SCHEDULE_SECONDS: process.env.LOCAL_SCHEDULE_SECONDS ?? '2',
    LOCAL_ASYNC_RETRY_MS: process.env.LOCAL_ASYNC_RETRY_MS ?? '200',
    // A message that fails every delivery dead-letters in seconds (test/exports/dead-letters.test.ts).
    LOCAL_SQS_RETRY_MS: process.env.LOCAL_SQS_RETRY_MS ?? '500',
  });
  const { apiUrl, awsUrl, dynamodbUrl, jwtKeyDir, jwt, environment, functionRoles, logFile } = stack;
  const info: LocalStackInfo = { apiUrl, awsUrl, dynamodbUrl, jwtKeyDir, jwt, environment, functionRoles, logFile };
  project.provide('localStack', info);

  // After every test file: the stack's whole output must be free of credentials, session tokens,
  // external IDs and bearer tokens. Throwing here fails the run (vitest exits non-zero).
  return async () => {
    await stack.stop();
    const findings = findSecrets(readFileSync(logFile, 'utf8'));
    stack.remove();
    if (findings.length > 0) throw new Error(describeFindings(findings, 'stack.log'));
  };
}
