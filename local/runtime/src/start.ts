/**
 * `npm start`: the whole service on this machine, no AWS account, no Docker (docs/product-contract.md §7).
 *
 * Settings (all optional): LOCAL_API_PORT (3000), LOCAL_AWS_PORT (4566), LOCAL_DYNAMODB_PORT
 * (8000), 0 for a free port; LOCAL_DATA_DIR (.local); LOCAL_SCHEDULE_SECONDS (run schedules this
 * often); LOCAL_ASYNC_RETRY_MS (first pause before an asynchronous invocation is retried);
 * LOCAL_SQS_RETRY_MS (a failed queue message comes back after this, not its visibility timeout); LOCAL_STAGE;
 * LOCAL_METER_DYNAMODB=1 (count the functions' DynamoDB capacity units, local/runtime/dynamodb-meter.ts).
 * For tools that start it as a child process: LOCAL_READY_FILE (where to write the URLs, the
 * functions' variables and their roles once everything answers) and LOCAL_EXIT_WITH_PARENT=1 (stop
 * when stdin closes, so a killed parent leaves no stack, and no Java, behind).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { ensureConsoleBuilt } from '#runtime/console-files';
import { startLocalStack, type LocalStack } from '#runtime/stack';

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`${name} must be a port number (0 for any free port).`);
  return parsed;
}

async function main(): Promise<void> {
  const scheduleSeconds = process.env.LOCAL_SCHEDULE_SECONDS ? Number(process.env.LOCAL_SCHEDULE_SECONDS) : undefined;
  if (scheduleSeconds !== undefined && !(scheduleSeconds > 0))
    throw new Error('LOCAL_SCHEDULE_SECONDS must be a positive number.');
  const stack = await startLocalStack({
    ports: {
      api: port('LOCAL_API_PORT', 3000),
      aws: port('LOCAL_AWS_PORT', 4566),
      dynamodb: port('LOCAL_DYNAMODB_PORT', 8000),
    },
    ...(process.env.LOCAL_DATA_DIR ? { dataDir: process.env.LOCAL_DATA_DIR } : {}),
    ...(scheduleSeconds !== undefined ? { scheduleSeconds } : {}),
    ...(process.env.LOCAL_STAGE ? { stage: process.env.LOCAL_STAGE } : {}),
    ...(process.env.LOCAL_ASYNC_RETRY_MS ? { asyncRetryDelayMs: Number(process.env.LOCAL_ASYNC_RETRY_MS) } : {}),
    ...(process.env.LOCAL_SQS_RETRY_MS ? { sqsRetryDelayMs: Number(process.env.LOCAL_SQS_RETRY_MS) } : {}),
    ...(process.env.LOCAL_METER_DYNAMODB === '1' ? { meterDynamoDb: true } : {}),
  });
  const stopping = stopOnSignals(stack);

  console.log(`HTTP API          ${stack.apiUrl}`);
  console.log(
    `Customer console  ${stack.apiUrl}/console/   (sign in there; built from console/ when its sources change)`,
  );
  console.log(`AWS endpoint      ${stack.awsUrl}   (STS, IAM, S3 path-style, KMS, EventBridge, Step Functions, SQS)`);
  console.log(
    `DynamoDB Local    ${stack.dynamodbUrl}   (tables: ${stack.environment.TABLE_NAME ?? 'see serverless.yml'})`,
  );
  console.log(`JWT signing key   ${stack.jwtKeyDir}   (npm run --silent token -- '{"sub":"..."}')`);
  console.log(
    `Schedules         ${
      stack.schedules.schedules
        .map((schedule) => `${schedule.fn.key} every ${schedule.intervalMs / 1000} s`)
        .join(', ') || 'none'
    }`,
  );
  console.log(`Local stack ready in ${process.uptime().toFixed(1)} s. Ctrl-C stops it.`);

  // Build the console now if its sources changed, so the first visit does not wait for it.
  ensureConsoleBuilt().catch((error: unknown) =>
    console.error(`[local] ${error instanceof Error ? error.message : String(error)}`),
  );

  const readyFile = process.env.LOCAL_READY_FILE;
  if (readyFile) {
    const { apiUrl, awsUrl, dynamodbUrl, dynamodbMeterUrl, jwtKeyDir, jwt, environment, functionRoles } = stack;
    const ready = { apiUrl, awsUrl, dynamodbUrl, dynamodbMeterUrl, jwtKeyDir, jwt, environment, functionRoles };
    // Written aside and renamed, so a reader never sees half a file.
    writeFileSync(`${readyFile}.partial`, JSON.stringify(ready), { mode: 0o600 });
    renameSync(`${readyFile}.partial`, readyFile);
  }
  if (process.env.LOCAL_EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', () => void stopping('parent gone'));
    process.stdin.on('close', () => void stopping('parent gone'));
    process.stdin.resume();
  }
}

/** First signal: stop cleanly (Java included). A second one: leave at once. */
function stopOnSignals(stack: LocalStack): (reason: string) => Promise<void> {
  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) {
      console.error('Stopping immediately.');
      process.exit(130);
    }
    stopping = true;
    console.log(`Stopping the local stack (${reason})...`);
    await stack.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  return stop;
}

main().catch((error: unknown) => {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const hint = inUse
    ? ' Another process holds that port: stop it, or choose ports with LOCAL_API_PORT, LOCAL_AWS_PORT, ' +
      'LOCAL_DYNAMODB_PORT.'
    : '';
  console.error(`The local stack did not start: ${error instanceof Error ? error.message : String(error)}${hint}`);
  if (process.env.LOCAL_DEBUG && error instanceof Error) console.error(error.stack);
  process.exit(1);
});
