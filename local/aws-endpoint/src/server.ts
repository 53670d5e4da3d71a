/**
 * The local AWS-compatible endpoint (docs/product-contract.md §7): one HTTP server for STS, IAM, S3
 * (path-style only), KMS, EventBridge PutEvents, Step Functions and SQS, that enforces what AWS
 * enforces for this product.
 *
 * Every request outside `/_local/` goes through the same steps: read the SigV4 parameters and
 * the service from the credential scope, establish the payload hash (buffered and hashed for the
 * JSON/Query services; for S3 the signed x-amz-content-sha256, verified while the body streams),
 * verify the signature and credentials, count S3 requests per bucket and operation (request-counts.ts),
 * apply injected faults, then hand a SignedRequest to the
 * service module, which asks the policy module before doing anything. Errors are answered in
 * the service's own protocol with AWS's codes.
 *
 * Covered: root and AssumeRole session credentials, identity policies + session policies, role
 * trust policies, KMS key policies. Not covered (see policy/authorize.ts): bucket and
 * other resource policies, SCPs, permission boundaries, IAM users, virtual-hosted-style S3.
 *
 * Admin calls under `/_local/` are answered only to loopback clients (admin.ts); they include
 * the count of requests served per caller and action (usage.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createAccounts, type Clock } from '#endpoint/accounts';
import { AuthFailure, authError } from '#endpoint/auth-errors';
import { decodeAwsChunked } from '#endpoint/aws-chunked';
import {
  AwsError,
  type FaultSettings,
  type PlatformHooks,
  type ServiceHandler,
  type SignedRequest,
} from '#endpoint/contract';
import { createEventsService } from '#endpoint/events';
import { handleAdmin } from '#endpoint/admin';
import { collect } from '#endpoint/body';
import { holdAnswer } from '#endpoint/fault-timing';
import { createFaultInjector, faultError, s3RequestOf, type FaultTarget } from '#endpoint/faults';
import { createIamService } from '#endpoint/iam';
import { createIamStore } from '#endpoint/iam-store';
import { createKms, type LocalKms } from '#endpoint/kms';
import { createAuthorizer } from '#endpoint/policy/authorize';
import { createS3Service } from '#endpoint/s3/service';
import { sendAwsError } from '#endpoint/protocols';
import { createRequestCounts } from '#endpoint/request-counts';
import { createServiceSessions, type AssumeRoleAsService } from '#endpoint/service-sessions';
import { parseAuth, sha256Hex, verifySignature, type ParsedAuth } from '#endpoint/sigv4';
import { createSqsService } from '#endpoint/sqs';
import { createStatesService } from '#endpoint/states';
import { createStsService } from '#endpoint/sts';
import { createAssumeRoleJournal } from '#endpoint/sts-journal';
import { createUsageTally } from '#endpoint/usage';

/** Bodies of the JSON and Query services are small; S3 bodies stream and are never buffered here. */
const MAX_BUFFERED_BODY_BYTES = 1024 * 1024;
/** What readBody() will buffer of an S3 body (bucket configuration XML, DeleteObjects lists). */
const MAX_S3_READ_BODY_BYTES = 10 * 1024 * 1024;

const TARGET_PREFIXES: Record<string, string> = {
  TrentService: 'kms',
  AWSEvents: 'events',
  AWSStepFunctions: 'states',
  AmazonSQS: 'sqs',
};

export interface AwsEndpointOptions {
  port: number;
  host?: string;
  dataDir: string;
  hooks: PlatformHooks;
  /** Epoch milliseconds; tests move it forward to let sessions expire. */
  now?: Clock;
}

export interface AwsEndpoint {
  url: string;
  close(): Promise<void>;
  faults: { set(settings: Partial<FaultSettings>): void; clear(): void };
  /** Credentials for a role an AWS service runs code as (service-sessions.ts): how local functions get theirs. */
  assumeRoleAsService: AssumeRoleAsService;
  /** For the runtime: the KMS keys serverless.yml declares. */
  kms: LocalKms['forRuntime'];
}

export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  const accounts = createAccounts(options.now);
  const store = createIamStore(options.dataDir, accounts.now);
  const authorizer = createAuthorizer((caller) => store.identityPoliciesOf(caller), accounts.now);
  const { authorize } = authorizer;
  const kms = createKms({
    dataDir: options.dataDir,
    authorizer,
    now: accounts.now,
    roleExists: (arn) => store.findRoleByArn(arn) !== undefined,
  });
  const faults = createFaultInjector();
  const assumeRoleAsService = createServiceSessions({ accounts, store });
  const journal = createAssumeRoleJournal();
  const requestCounts = createRequestCounts();
  const usage = createUsageTally();
  const services: Record<string, ServiceHandler> = {
    sts: createStsService({ accounts, store, authorizer, journal }),
    iam: createIamService({ store, authorize }),
    kms: kms.service,
    events: createEventsService({ authorizer, hooks: options.hooks }),
    states: createStatesService({ authorize, hooks: options.hooks }),
    sqs: createSqsService({ authorize, hooks: options.hooks }),
    s3: createS3Service({
      dataDir: options.dataDir,
      authorize,
      kms: kms.forS3,
      notifications: options.hooks.notifications,
    }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-requestid', requestId);
    res.setHeader('x-amz-request-id', requestId);
    let service = guessService(req);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/_local/')) {
        return await handleAdmin(req, res, url, { faults, assumeRoleAsService, journal, requestCounts, usage });
      }
      const auth = parseAuth(req.url ?? '/', req.headers);
      // Own properties only: a scope naming `constructor` must not reach Object.prototype.
      const handler = Object.hasOwn(services, auth.service) ? services[auth.service] : undefined;
      if (!handler)
        throw new AwsError('UnrecognizedService', `The local endpoint does not serve ${auth.service}.`, 400);
      service = auth.service;

      const payload = await payloadOf(req, auth);
      const { caller, chunkSigning } = verifySignature({
        auth,
        method: req.method ?? 'GET',
        rawUrl: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        payloadHash: payload.hash,
        accounts,
      });

      const target = faultTarget(service, req, url, payload.buffered);
      usage.count(caller.arn, target.action);
      if (target.operation) requestCounts.count(target.bucket, target.operation);
      const fault = faults.decide(target);
      if (fault?.timing === 'before') {
        if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
        if (fault.mode === 'drop-connection') return void req.socket.destroy();
        if (fault.mode) throw faultError(fault.mode, service);
      }
      if (fault?.timing === 'after') holdAnswer(req, res, fault, service);

      const body = payload.buffered
        ? Readable.from([payload.buffered])
        : decodeAwsChunked(req, { ...req.headers, 'x-amz-content-sha256': payload.hash }, { chunkSigning });
      const signed: SignedRequest = {
        raw: req,
        caller,
        region: auth.region,
        url,
        body,
        readBody: once(() =>
          payload.buffered ? Promise.resolve(payload.buffered) : collect(body, MAX_S3_READ_BODY_BYTES),
        ),
      };
      await handler(signed, res);
    } catch (error) {
      answerError(req, res, service, error);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    faults: { set: (settings) => faults.set(settings), clear: () => faults.clear() },
    assumeRoleAsService,
    kms: kms.forRuntime,
  };
}

/**
 * The payload hash the signature covers. JSON/Query bodies are read whole and hashed here. S3
 * bodies stay on the socket: the hash is the one the client signed (header, or the presigned
 * URL's), and aws-chunked.ts checks the bytes against it while they stream.
 */
async function payloadOf(req: IncomingMessage, auth: ParsedAuth): Promise<{ hash: string; buffered?: Buffer }> {
  if (auth.service !== 's3') {
    const buffered = await collect(req, MAX_BUFFERED_BODY_BYTES);
    return { hash: sha256Hex(buffered), buffered };
  }
  const header = req.headers['x-amz-content-sha256'];
  const hash = auth.presigned
    ? (auth.presignedPayloadHash ?? 'UNSIGNED-PAYLOAD')
    : Array.isArray(header)
      ? header[0]
      : header;
  if (hash === undefined)
    throw new AwsError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  const valid =
    /^[0-9a-f]{64}$/.test(hash) || hash === 'UNSIGNED-PAYLOAD' || (!auth.presigned && hash.startsWith('STREAMING-'));
  if (!valid) {
    throw new AwsError(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-..., or a valid sha256 value.',
      400,
    );
  }
  return { hash };
}

function faultTarget(service: string, req: IncomingMessage, url: URL, body: Buffer | undefined): FaultTarget {
  if (service === 's3') return { service, ...s3RequestOf(req.method ?? 'GET', url, req.headers) };
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return { service, action: `${service}:${target.slice(target.indexOf('.') + 1)}` };
  const action =
    new URLSearchParams(body?.toString('utf8') ?? '').get('Action') ?? url.searchParams.get('Action') ?? '';
  return { service, action: `${service}:${action}` };
}

function answerError(req: IncomingMessage, res: ServerResponse, service: string, error: unknown): void {
  if (res.headersSent) {
    // Part of an answer is already on the wire: cutting the connection is the only honest signal.
    res.destroy();
    return;
  }
  let awsError: AwsError;
  if (error instanceof AuthFailure) awsError = authError(error, service);
  else if (error instanceof AwsError) awsError = error;
  else {
    console.error('local AWS endpoint: unexpected error', error instanceof Error ? error.stack : String(error));
    awsError = new AwsError(
      service === 's3' || service === 'sts' || service === 'iam' ? 'InternalError' : 'InternalFailure',
      'We encountered an internal error. Please try again.',
      500,
    );
  }
  // Let an unread request body drain so the client can read the answer instead of a reset.
  if (!req.complete) req.resume();
  sendAwsError(res, service, awsError, req.method);
}

/** Which protocol to answer in before the credential scope names the service. */
function guessService(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const prefix = target.split('.')[0] ?? '';
    return Object.hasOwn(TARGET_PREFIXES, prefix) ? (TARGET_PREFIXES[prefix] ?? 'kms') : 'kms';
  }
  if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return 'sts';
  return 's3';
}

function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}
