/**
 * An endpoint that answers S3 requests the way no honest bucket does: listings whose XML never
 * ends, object bodies that never end (`endless`) or that trickle in a byte at a time, never
 * idle long enough for a client's idle timeout (`trickle`), and writes that find the key taken.
 * The local stack is AWS-faithful and cannot do this, so these attacks point a real SDK client at
 * this server instead (only for S3; STS stays the local stack's).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stops feeding a client that never stops reading, so a failed test cannot eat the machine. */
const SAFETY_LIMIT_BYTES = 256 * 1024 * 1024;

export interface HostileS3 {
  url: string;
  bytesSent(): number;
  close(): Promise<void>;
}

function feed(response: ServerResponse, head: string, chunk: () => string, count: { bytes: number }): void {
  response.write(head);
  const pump = () => {
    while (count.bytes < SAFETY_LIMIT_BYTES && !response.destroyed) {
      const piece = chunk();
      count.bytes += piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    response.end();
  };
  response.on('close', () => undefined);
  pump();
}

/** Sends a body that claims a modest length and then trickles it, one byte every 200 ms, until the client leaves. */
function trickle(response: ServerResponse, count: { bytes: number }): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 * 1024) });
  const timer = setInterval(() => {
    if (response.destroyed) return void clearInterval(timer);
    count.bytes += 1;
    response.write('{');
  }, 200);
  response.on('close', () => clearInterval(timer));
}

export async function startHostileS3(mode: {
  listing: 'endless' | 'empty';
  objects: 'endless' | 'trickle';
  /** Every conditional write (If-None-Match) answers 412: the key seems taken, so the writer reads it back. */
  writes?: 'keyTaken';
}): Promise<HostileS3> {
  const count = { bytes: 0 };
  let item = 0;
  const server = createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://hostile');
    if (request.method === 'PUT' && mode.writes === 'keyTaken') {
      response.writeHead(412, { 'content-type': 'application/xml' });
      return void response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
      );
    }
    if (request.method === 'GET' && mode.objects === 'trickle' && url.searchParams.get('list-type') !== '2')
      return trickle(response, count);
    if (url.searchParams.get('list-type') === '2') {
      response.writeHead(200, { 'content-type': 'application/xml' });
      const head =
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>';
      if (mode.listing === 'empty') return void response.end(`${head}</ListBucketResult>`);
      return feed(
        response,
        head,
        () => `<Contents><Key>junk-${(item += 1)}-${'x'.repeat(900)}</Key><Size>1</Size></Contents>`,
        count,
      );
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    feed(response, '', () => 'y'.repeat(64 * 1024), count);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesSent: () => count.bytes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `work` with S3 requests of newly made clients sent to `url` (STS stays the local stack's). */
export async function withS3At<T>(url: string, work: () => Promise<T>): Promise<T> {
  const before = process.env.AWS_ENDPOINT_URL_S3;
  process.env.AWS_ENDPOINT_URL_S3 = url;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
    else process.env.AWS_ENDPOINT_URL_S3 = before;
  }
}
