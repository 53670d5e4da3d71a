/**
 * The seams inside the local AWS-compatible endpoint (docs/product-contract.md §7). The server verifies the
 * SigV4 signature, works out who the caller is, and hands the request to one service module
 * (sts, iam, s3, kms, events, states). Service modules never check signatures themselves and
 * never decide policy themselves: they ask `authorize`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const PLATFORM_ACCOUNT_ID = '111111111111';

/** An IAM policy document as AWS stores it (Statement may be one object or a list). */
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** Who signed the request, after the signature and the session have been checked. */
export interface Caller {
  accountId: string;
  /** `arn:aws:iam::<acct>:root` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
  accessKeyId: string;
  isRoot: boolean;
  /** For assumed-role sessions: the role's ARN (`arn:aws:iam::<acct>:role/<name>`). */
  roleArn?: string;
  /** Session policy passed to AssumeRole; the effective permissions are the intersection. */
  sessionPolicy?: PolicyDocument;
}

/** What one request asks to do, in IAM terms. */
export interface AccessRequest {
  action: string; // e.g. 's3:PutObject'
  resource: string; // e.g. 'arn:aws:s3:::bucket/key'
  /** Condition context keys (lower-cased names are compared case-insensitively). */
  context?: Record<string, string | string[]>;
}

/**
 * Throws AwsError('AccessDenied', 403) unless the caller's identity policies (and session
 * policy) allow the request and nothing denies it explicitly. Root callers are allowed
 * everything within their own account.
 */
export type Authorize = (caller: Caller, request: AccessRequest) => void;

/** An error answered in the service's own protocol (XML for S3/IAM/STS, JSON for the rest). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** A service module: answers one request whose signature is already verified. */
export type ServiceHandler = (request: SignedRequest, response: ServerResponse) => Promise<void>;

export interface SignedRequest {
  raw: IncomingMessage;
  caller: Caller;
  /** The region of the SigV4 credential scope. */
  region: string;
  url: URL;
  /**
   * The decoded payload as a stream (aws-chunked framing removed, trailing checksums checked),
   * for S3 object bodies that must not be buffered.
   */
  body: NodeJS.ReadableStream;
  /** Buffers the whole decoded payload (for small requests: IAM, STS, JSON protocols). */
  readBody(): Promise<Buffer>;
}

/** KMS as S3 needs it for SSE-KMS default encryption. */
export interface KmsForS3 {
  /**
   * Throws AccessDenied / NotFoundException / KMS.DisabledException as AWS would. KMS sees the
   * call as made through S3 (`kms:ViaService` s3.<region>.amazonaws.com) with S3's encryption
   * context (`aws:s3:arn`).
   */
  generateDataKey(
    caller: Caller,
    keyArn: string,
    via: { region: string; encryptionContext: Record<string, string> },
  ): void;
  /**
   * The same for kms:Decrypt, which S3 asks for before it returns or copies an SSE-KMS object's
   * bytes and before it adds to, lists or completes an SSE-KMS multipart upload.
   */
  decrypt(caller: Caller, keyArn: string, via: { region: string; encryptionContext: Record<string, string> }): void;
}

/** One PutEvents entry as the endpoint hands it on: the bus by ARN, the time as ISO 8601 when given. */
export interface PutEventsEntry {
  /** The id the endpoint answered for this entry: the event's `id`, as in EventBridge. */
  EventId: string;
  Source: string;
  DetailType: string;
  Detail: string;
  /** `arn:aws:events:<region>:<account>:event-bus/<name>` */
  EventBusName: string;
  Time?: string;
}

export interface QueueHooks {
  createQueue(endpointUrl: string, accountId: string, name: string): { url: string };
  receive(queueUrl: string, max: number): Array<{ messageId: string; receiptHandle: string; body: string }>;
  delete(queueUrl: string, receiptHandle: string): void;
}

export interface RuleHooks {
  /** `busArn` names the rule's bus; the answer is the rule's ARN. */
  putRule(busArn: string, name: string, pattern: Record<string, unknown>, enabled: boolean): string;
  putTargets(busArn: string, rule: string, targets: Array<{ Id: string; Arn: string }>): void;
  removeTargets(busArn: string, rule: string, ids: string[]): void;
  deleteRule(busArn: string, rule: string): void;
}

/** Hooks into the local runtime for the services whose work happens in our functions. */
export interface PlatformHooks {
  /** `sender` is the caller's account: it becomes the events' `account`, as in EventBridge. */
  putEvents(entries: PutEventsEntry[], sender: { accountId: string }): Promise<void>;
  /** The bus an ARN names, with its resource policy; undefined when no such bus exists. */
  eventBus(busArn: string): { policy?: PolicyDocument } | undefined;
  startExecution(
    stateMachineArn: string,
    input: string,
    name?: string,
  ): Promise<{ executionArn: string; startDate: Date }>;
  describeExecution(executionArn: string): Promise<{ status: string; output?: string } | undefined>;
  sendMessages(queueUrl: string, bodies: string[]): Promise<void>;
  /** CreateQueue, ReceiveMessage and DeleteMessage of queues a caller creates (src/sqs.ts). */
  queues: QueueHooks;
  /** PutRule, PutTargets, RemoveTargets, DeleteRule on the stack's buses (src/events.ts). */
  rules: RuleHooks;
  /** Where S3 event notifications go (local/aws-endpoint/src/s3/notifications.ts). */
  notifications: NotificationTargets;
}

/** An event an AWS service puts on an account's default event bus, in EventBridge's envelope. */
export interface ServiceEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * The destinations of S3 event notifications, which live in the local runtime. The endpoint
 * decides what to send and in which shape, and retries until a call resolves (at least once);
 * the runtime routes it. Calls may reject while the runtime is starting (503): S3 retries.
 */
export interface NotificationTargets {
  /** Puts `event` on the default bus of `event.account` in `event.region` (S3 with EventBridge). */
  putServiceEvent(event: ServiceEvent): Promise<void>;
  /**
   * Why S3 may not send messages about `bucketArn` to this queue (it does not exist here, is FIFO,
   * or its queue policy does not allow s3.amazonaws.com to send), or undefined when it may.
   */
  checkQueue(queueArn: string, source: { bucketArn: string; bucketOwner: string }): string | undefined;
  /** SendMessage on behalf of S3. */
  sendToQueue(queueArn: string, body: string): Promise<void>;
}

/** Fault injection for reliability tests, switched on at run time (see README). */
export interface FaultSettings {
  /** Fraction of matching requests that fail, 0..1. */
  errorRate: number;
  /** What a failing request does. */
  mode: 'slowdown' | 'internal-error' | 'drop-connection';
  /** Extra latency added to every matching request, in milliseconds. */
  latencyMs: number;
  /** Which services the faults apply to (e.g. ['s3']); empty means all. */
  services: string[];
  /** Only requests to these buckets (S3); empty means all. */
  buckets: string[];
  /** Only these actions (e.g. ['sts:AssumeRole']); empty means all. */
  actions: string[];
  /**
   * Only these API operations (e.g. ['UploadPart'], where `s3:PutObject` would also hit PutObject); empty means all.
   */
  operations: string[];
  /**
   * `before` (the default): the delay and the failure come before the request is served, so a
   * failed request changed nothing. `after`: the request is served first and only its answer is
   * delayed, replaced by the error or cut off, as when a write succeeded but its answer was lost.
   */
  timing?: 'before' | 'after';
  /** Fail at most this many requests, then stop injecting (for "succeeds on retry" tests). */
  maxFaults?: number;
  /**
   * `random` (the default): each matching request fails with probability `errorRate`. `even`: the
   * first matching request fails, then one in every 1/errorRate (errorRate 0.1: the 1st, 11th,
   * 21st, ...), so a test knows how many faults N requests meet, whatever their timing.
   */
  spread?: 'random' | 'even';
}
