/**
 * A Lambda context as the runtime hands it to a handler, for invoking handlers in the test process
 * (or in a child process that must not load vitest).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

const REGION = 'us-east-1';
const PLATFORM_ACCOUNT = '111111111111';

/** The context of an invocation of `functionName` that ends `remainingMs` from now. */
export function lambdaContext(remainingMs = 60_000, functionName = 'test'): Context {
  const deadline = Date.now() + remainingMs;
  const unsupported = () => {
    throw new Error('not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${PLATFORM_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
