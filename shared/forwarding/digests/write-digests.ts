/**
 * Writes a forwarding's due hourly digests, oldest first, each naming the one before it. An hour
 * is due once it ended DIGEST_GRACE_MS ago: every delivery confirmed in it is in the ledger by
 * then (a ledger write that comes later is stamped into a later hour, delivery-ledger.ts).
 *
 * The chain's head lives on the forwarding item and moves only from the value this run read
 * (a conditional update), after the digest object is in the bucket; the object is written with
 * `If-None-Match: *`, and its bytes are the same whoever writes them, so two runs of one
 * forwarding at once write one digest and one of them moves the head. Nothing is written while
 * forwarding is paused or its integration cannot be used: the hours stay due and are written,
 * in order, once it can.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { STSServiceException } from '@aws-sdk/client-sts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { loadOwnedCluster } from '#shared/projects/project-store';
import { keys } from '#shared/table/keys';
import { HOUR_MS, digestKey, hourStart } from '#shared/forwarding/audit-log-keys';
import {
  KeyExists,
  destinationFor,
  readObject,
  writeNewObject,
  type Destination,
} from '#shared/forwarding/customer-destination';
import { customerProblem } from '#shared/forwarding/delivery-problems';
import { ClusterHealth } from '#shared/forwarding/delivery/cluster-health';
import { entriesConfirmedIn, RESTAMP_AFTER_MS } from '#shared/forwarding/delivery/delivery-ledger';
import {
  digestOf,
  MAX_DIGEST_BYTES,
  serializeDigest,
  sha256HexOf,
  SIGNATURE_METADATA,
} from '#shared/forwarding/digests/digest-document';
import { digestKeyArn, signDigest } from '#shared/forwarding/digests/digest-signing-key';
import type { DigestChainHead, Forwarding } from '#shared/forwarding/forwarding';
import { loadForwarding } from '#shared/forwarding/forwarding-store';

export const DIGEST_GRACE_MS = 5 * 60_000;
/**
 * How long one digest may spend in the customer's bucket (its write, and the read-back of a digest
 * already there), as long as one audit-log file may (forwarding-runs.ts): the client's idle timeout
 * alone would let a bucket that trickles its answer hold the run until the function times out.
 */
export const DIGEST_BUCKET_TIMEOUT_MS = 20_000;
/** Digests one run writes at most (a long outage leaves many due: later runs continue). */
export const MAX_DIGESTS_PER_RUN = 48;

export type DigestRunStatus = 'UP_TO_DATE' | 'WRITTEN' | 'MORE_DUE' | 'FAILED' | 'WAITING' | 'OFF';

export interface DigestRunOutcome {
  status: DigestRunStatus;
  written: number;
  problemCode?: string;
}

/** The hours due at `now`, from the hour after the head (or the chain's first hour). */
export function dueDigestHours(chain: DigestChainHead, now: number): Date[] {
  const first = chain.last ? Date.parse(chain.last.hour) + HOUR_MS : hourStart(Date.parse(chain.from)).getTime();
  const hours: Date[] = [];
  for (let hour = first; hour + HOUR_MS + DIGEST_GRACE_MS <= now; hour += HOUR_MS) hours.push(new Date(hour));
  return hours;
}

/**
 * One message of DigestQueue (signAuditLogDigests): the due digests of one forwarding, and a line saying how it went.
 */
export async function runDigestMessage(message: { projectId: string; clusterId: string }): Promise<void> {
  const outcome = await writeDueDigests(message);
  logger.info('digest run finished', { projectId: message.projectId, clusterId: message.clusterId, ...outcome });
}

export async function writeDueDigests(
  ref: { projectId: string; clusterId: string },
  options: { now?: number; maxDigests?: number; bucketTimeoutMs?: number } = {},
): Promise<DigestRunOutcome> {
  const now = options.now ?? Date.now();
  const forwarding = await loadForwarding(ref.projectId, ref.clusterId);
  if (!forwarding || !(await loadOwnedCluster(ref.projectId, ref.clusterId))) return { status: 'OFF', written: 0 };
  const integration = await loadIntegration(ref.projectId, forwarding.integrationId);
  const target = integration && workerTargetOf(integration);
  if (forwarding.paused || !target) return { status: 'WAITING', written: 0 };
  const due = dueDigestHours(forwarding.digests, now);
  if (due.length === 0) return { status: 'UP_TO_DATE', written: 0 };
  const chain = new DigestChain(
    forwarding,
    destinationFor(target, forwarding.directory, forwarding.clusterId),
    options.bucketTimeoutMs ?? DIGEST_BUCKET_TIMEOUT_MS,
  );
  const max = options.maxDigests ?? MAX_DIGESTS_PER_RUN;
  let written = 0;
  for (const hour of due.slice(0, max)) {
    try {
      if (!(await chain.write(hour))) break; // another run moved the chain, or it was reset: it carries on
      written += 1;
    } catch (error) {
      // Only the customer's side (the role, the bucket) is recorded in health; a failure of ours
      // (KMS, DynamoDB) fails the run, and the message is delivered again.
      const taken = error instanceof DigestKeyTaken;
      const slow = error instanceof BucketTooSlow;
      if (!taken && !slow && !(error instanceof S3ServiceException || error instanceof STSServiceException))
        throw error;
      const problem = taken
        ? { kind: 'file' as const, code: 'DIGEST_KEY_TAKEN', message: error.message }
        : slow
          ? { kind: 'retry' as const, code: 'DELIVERY_DELAYED', message: error.message }
          : await customerProblem('PutObject', error, target, digestKey(chain.folder, hour));
      const health = new ClusterHealth(forwarding);
      health.failed({
        code: problem.kind === 'access' || taken ? problem.code : 'DIGEST_NOT_WRITTEN',
        message: `the digest of ${hour.toISOString()} was not written: ${problem.message}`,
      });
      await health.save();
      metrics.addMetric('AuditLogDigestFailures', MetricUnit.Count, 1);
      logger.warn('audit-log digest not written; it stays due', {
        ...ref,
        hour: hour.toISOString(),
        problemCode: problem.code,
      });
      return { status: 'FAILED', written, problemCode: problem.code };
    }
  }
  metrics.addMetric('AuditLogDigestsWritten', MetricUnit.Count, written);
  return { status: due.length > max ? 'MORE_DUE' : 'WRITTEN', written };
}

/** Something else than this digest sits at its key (put there by someone else): the chain cannot go on. */
class DigestKeyTaken extends Error {
  constructor(
    readonly key: string,
    options: ErrorOptions,
  ) {
    super(
      `s3 key ${key} holds another object than the digest of its hour: remove it, and the digests continue from there`,
      options,
    );
    this.name = 'DigestKeyTaken';
  }
}

/** The customer's bucket did not finish answering within the digest's bound: the digest stays due. */
class BucketTooSlow extends Error {
  constructor(key: string, timeoutMs: number, options: ErrorOptions) {
    super(
      `the bucket did not answer for s3 key ${key} within ${timeoutMs / 1000} s; the digest is written on a later ` +
        'run, once the bucket answers in time',
      options,
    );
    this.name = 'BucketTooSlow';
  }
}

/** A forwarding's digest chain in its current destination; `write` adds the next hour. */
class DigestChain {
  private head: DigestChainHead;
  readonly folder: string;

  constructor(
    private readonly forwarding: Forwarding,
    private readonly destination: Destination,
    private readonly bucketTimeoutMs: number,
  ) {
    this.head = { ...forwarding.digests };
    this.folder = destination.folder;
  }

  /** Writes the digest of `hour` and moves the head to it. False: the head moved meanwhile. */
  async write(hour: Date): Promise<boolean> {
    const { projectId, clusterId } = this.forwarding;
    const entries = await entriesConfirmedIn({ projectId, clusterId }, hour);
    const files = entries.filter(
      (entry) =>
        (entry.outcome === 'written' || entry.outcome === 'alreadyPresent') &&
        entry.bucket === this.destination.target.bucketName &&
        entry.key.startsWith(this.folder),
    );
    const digest = digestOf({
      bucket: this.destination.target.bucketName,
      prefix: this.folder,
      clusterId,
      hour,
      files: files.map((entry) => ({ key: entry.key, size: entry.size, sha256: entry.sha256 })),
      previousDigest: this.head.last ? { key: this.head.last.key, sha256: this.head.last.sha256 } : null,
      keyArn: digestKeyArn(),
    });
    const body = serializeDigest(digest);
    const key = digestKey(this.folder, hour);
    const { signature } = await signDigest(body);
    const signal = AbortSignal.timeout(this.bucketTimeoutMs);
    try {
      await this.store(key, body, signature, signal);
    } catch (error) {
      if (signal.aborted) throw new BucketTooSlow(key, this.bucketTimeoutMs, { cause: error });
      throw error;
    }
    const next: DigestChainHead = {
      from: this.head.from,
      last: { hour: hour.toISOString(), key, sha256: sha256HexOf(body) },
    };
    if (!(await this.moveHead(next))) return false;
    this.head = next;
    return true;
  }

  /** Puts the digest at `key`, or finds the same bytes there already; all of it within `signal`. */
  private async store(key: string, body: Buffer, signature: string, signal: AbortSignal): Promise<void> {
    try {
      await writeNewObject(
        this.destination,
        {
          key,
          body,
          sha256Base64: Buffer.from(sha256HexOf(body), 'hex').toString('base64'),
          contentType: 'application/json',
          metadata: { [SIGNATURE_METADATA]: signature },
        },
        signal,
      );
    } catch (error) {
      if (!(error instanceof KeyExists)) throw error;
      // Written before, by this run's predecessor or a run beside it: the same bytes continue the chain.
      const existing = await readObject(this.destination, key, MAX_DIGEST_BYTES, signal);
      if (!existing || !Buffer.from(existing.body).equals(body)) throw new DigestKeyTaken(key, { cause: error });
    }
  }

  private async moveHead(next: DigestChainHead): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':next': next,
      ':generation': this.forwarding.generation,
      ':from': this.head.from,
    };
    let unchanged = 'attribute_not_exists(digests.#last)';
    if (this.head.last) {
      unchanged = 'digests.#last.#hour = :previous';
      values[':previous'] = this.head.last.hour;
    }
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: keys.forwarding(this.forwarding.projectId, this.forwarding.clusterId),
          UpdateExpression: 'SET digests = :next',
          // A forwarding stored before digests existed has no chain yet: its first digest starts it.
          ConditionExpression:
            `generation = :generation AND ` +
            `(attribute_not_exists(digests) OR (digests.#from = :from AND ${unchanged}))`,
          ExpressionAttributeNames: {
            '#last': 'last',
            '#from': 'from',
            ...(this.head.last ? { '#hour': 'hour' } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

// Checked at load: the ledger's restamping must stay inside the digest grace.
if (RESTAMP_AFTER_MS * 2 > DIGEST_GRACE_MS) throw new Error('DIGEST_GRACE_MS must leave room for late ledger writes');
