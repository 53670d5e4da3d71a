/**
 * The endpoint's admin API under `/_local/`, answered to loopback clients only:
 * - `GET /_local/health` -> `{"status":"ok"}`;
 * - `GET|PUT|DELETE /_local/faults`: fault injection (PUT takes a partial JSON FaultSettings);
 * - `GET /_local/sts/assume-role-calls[?roleArn=]`: the AssumeRole journal (sts-journal.ts), what
 *   CloudTrail would show the role's owner;
 * - `GET /_local/s3/request-counts?bucket=`: the S3 requests the bucket received, per operation
 *   (request-counts.ts);
 * - `GET|DELETE /_local/usage`: requests served per caller and action since the last DELETE (usage.ts);
 * - `POST /_local/service-sessions` `{"roleArn", "servicePrincipal", "sessionName", "durationSeconds"?}`:
 *   a session of a role whose trust policy allows that AWS service (service-sessions.ts), for a
 *   test harness that runs a function's handler outside the stack with the function's own role.
 *
 * Writes require `content-type: application/json`, which makes a browser preflight them, so a
 * web page cannot reach them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collect } from '#endpoint/body';
import { AwsError, type FaultSettings } from '#endpoint/contract';
import type { FaultInjector } from '#endpoint/faults';
import type { RequestCounts } from '#endpoint/request-counts';
import type { AssumeRoleAsService, ServiceSessionRequest } from '#endpoint/service-sessions';
import type { AssumeRoleJournal } from '#endpoint/sts-journal';
import type { UsageTally } from '#endpoint/usage';

export interface AdminDeps {
  faults: FaultInjector;
  assumeRoleAsService: AssumeRoleAsService;
  journal: AssumeRoleJournal;
  requestCounts: RequestCounts;
  usage: UsageTally;
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, deps: AdminDeps): Promise<void> {
  const reply = (status: number, body?: unknown) => {
    res.statusCode = status;
    if (body === undefined) return void res.end();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  if (!isLoopback(req.socket.remoteAddress))
    return reply(403, { message: 'Admin calls are accepted from loopback only.' });
  const { faults } = deps;
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /_local/health') return reply(200, { status: 'ok' });
  if (route === 'GET /_local/faults') return reply(200, faults.current() ?? {});
  if (route === 'GET /_local/sts/assume-role-calls') {
    return reply(200, { calls: deps.journal.calls(url.searchParams.get('roleArn') ?? undefined) });
  }
  if (route === 'GET /_local/s3/request-counts') {
    const bucket = url.searchParams.get('bucket');
    if (!bucket) return reply(400, { message: 'Name the bucket: ?bucket=<name>.' });
    return reply(200, { bucket, counts: deps.requestCounts.of(bucket) });
  }
  if (route === 'GET /_local/usage') return reply(200, deps.usage.report());
  if (route === 'DELETE /_local/usage') {
    deps.usage.reset();
    return reply(204);
  }
  if (route === 'DELETE /_local/faults') {
    faults.clear();
    return reply(204);
  }
  if (route !== 'PUT /_local/faults' && route !== 'POST /_local/service-sessions')
    return reply(404, { message: `No admin route ${route}.` });

  if (!String(req.headers['content-type']).startsWith('application/json'))
    return reply(415, { message: 'Send the body as application/json.' });
  const body = await readJsonObject(req);
  if (!body) return reply(400, { message: 'The body must be a JSON object.' });
  try {
    if (route === 'PUT /_local/faults') {
      faults.set(body as Partial<FaultSettings>);
      return reply(200, faults.current());
    }
    const session = deps.assumeRoleAsService(body as unknown as ServiceSessionRequest);
    return reply(200, { ...session, expiration: session.expiration.toISOString() });
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return reply(error.statusCode, { code: error.code, message: error.message });
  }
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse((await collect(req, 64 * 1024)).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
