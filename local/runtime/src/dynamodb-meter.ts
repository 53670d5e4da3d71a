/**
 * A metering pass-through in front of DynamoDB Local (LOCAL_METER_DYNAMODB=1): the functions call
 * it instead of DynamoDB Local, and it adds `ReturnConsumedCapacity: TOTAL` to every call that
 * takes it, so that a bench can state the read and write units a code path consumes, as AWS would
 * bill them on demand. The answers reach the caller as DynamoDB Local gave them, minus the
 * ConsumedCapacity a caller did not ask for (with x-amz-crc32 and content-length recomputed).
 *
 * `GET /_local/usage` answers the tally per operation since the last `DELETE /_local/usage`.
 * DynamoDB Local reports no capacity for a write refused by its condition, which AWS bills like a
 * write of the item: those are counted apart (`failedConditionalWrites`). Off by default: every
 * call then goes straight to DynamoDB Local.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface OperationUsage {
  requests: number;
  readUnits: number;
  writeUnits: number;
}

export interface DynamoDbUsage {
  operations: Record<string, OperationUsage>;
  failedConditionalWrites: number;
  since: string;
}

export interface DynamoDbMeter {
  url: string;
  close(): Promise<void>;
}

export async function startDynamoDbMeter(targetUrl: string): Promise<DynamoDbMeter> {
  const target = new URL(targetUrl);
  let usage = emptyUsage();
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/_local/usage') {
        if (req.method === 'DELETE') usage = emptyUsage();
        res.setHeader('content-type', 'application/json');
        return void res.end(req.method === 'DELETE' ? '{}' : JSON.stringify(usage));
      }
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const metered = READS.has(operation) || WRITES.has(operation);
      let body = await collect(req);
      let askedForCapacity = true;
      if (metered) {
        const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        askedForCapacity = input.ReturnConsumedCapacity !== undefined && input.ReturnConsumedCapacity !== 'NONE';
        if (!askedForCapacity) body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
      }
      const answer = await forward(target, req, body);
      let answerBody = answer.body;
      if (metered) {
        const tally = (usage.operations[operation] ??= { requests: 0, readUnits: 0, writeUnits: 0 });
        tally.requests += 1;
        const output = JSON.parse(answerBody.toString('utf8') || '{}') as Record<string, unknown>;
        if (answer.status === 200) {
          const units = capacityUnits(output.ConsumedCapacity);
          if (READS.has(operation)) tally.readUnits += units;
          else tally.writeUnits += units;
          if (!askedForCapacity) {
            delete output.ConsumedCapacity;
            answerBody = Buffer.from(JSON.stringify(output));
          }
        } else if (WRITES.has(operation) && String(output.__type ?? '').endsWith('ConditionalCheckFailedException')) {
          usage.failedConditionalWrites += 1;
        }
      }
      const headers: Record<string, string | string[]> = {
        ...answer.headers,
        'content-length': String(answerBody.length),
      };
      if (headers['x-amz-crc32'] !== undefined) headers['x-amz-crc32'] = String(crc32(answerBody));
      res.writeHead(answer.status, headers);
      res.end(answerBody);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`DynamoDB meter: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function emptyUsage(): DynamoDbUsage {
  return { operations: {}, failedConditionalWrites: 0, since: new Date().toISOString() };
}

/** `ConsumedCapacity` is one object for single-item calls, a list (one per table) for batches and transactions. */
function capacityUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum: number, entry) => sum + Number((entry as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
}

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // DynamoDB Local checks no signature, so the rewritten body needs no new one.
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        collect(answer).then((answerBody) => {
          const answerHeaders = Object.fromEntries(
            Object.entries(answer.headers).filter(
              (entry): entry is [string, string | string[]] => entry[1] !== undefined,
            ),
          );
          resolve({ status: answer.statusCode ?? 500, headers: answerHeaders, body: answerBody });
        }, reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
