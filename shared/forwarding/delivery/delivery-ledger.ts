/**
 * The delivery ledger: one item per file whose delivery was confirmed (or that will never be
 * delivered: a conflict at its key, a file too large), in a partition per cluster and hour of
 * confirmation. It is what makes delivery per file rather than per cursor: a catch-up run lists
 * an hour of the platform's bucket and delivers what the ledger does not hold, whatever order the
 * files came in, and the hourly digest lists exactly the files confirmed in its hour.
 *
 * A ledger collects the entries of one run and writes them in batches (`flush`). An entry is
 * written into the partition of its confirmation hour; one whose write comes later than
 * RESTAMP_AFTER_MS after its confirmation (retries, a slow run) is stamped with the time of its
 * write instead, so it never lands in an hour whose digest may already be written. Entries expire
 * after LEDGER_DAYS (TTL): by then their hour is digested and far outside every catch-up.
 */
import { BatchWriteCommand, QueryCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { HOUR_MS, hourLabel, hourStart } from '#shared/forwarding/audit-log-keys';
import type { DeliveredFile } from '#shared/forwarding/delivery/file-delivery';
import { deliveryLedgerPk, keys } from '#shared/table/keys';

export type LedgerOutcome = DeliveredFile['outcome'] | 'conflict' | 'tooLarge';
/** Which path confirmed the file: its event, a catch-up run (pending files, the reconciliation), or a replay. */
export type DeliveryPath = 'event' | 'catch-up' | 'replay';

export interface LedgerEntry {
  sourceKey: string;
  key: string;
  bucket: string;
  size: number;
  sha256: string;
  landedAt: string;
  deliveredAt: string;
  outcome: LedgerOutcome;
  via: DeliveryPath;
}

export const LEDGER_DAYS = 8;
/** Well inside the digest writer's grace (digests/digest-schedule.ts). */
export const RESTAMP_AFTER_MS = 60_000;
const BATCH = 25;
const MAX_ATTEMPTS = 8;

type Ref = { projectId: string; clusterId: string };

export class DeliveryLedger {
  private entries: LedgerEntry[] = [];

  constructor(
    private readonly ref: Ref,
    private readonly bucket: string,
    private readonly via: DeliveryPath,
  ) {}

  get unsaved(): number {
    return this.entries.length;
  }

  record(file: DeliveredFile): void {
    // A replay that finds a file already there delivered nothing now: the digest of its hour listed it.
    if (this.via === 'replay' && file.outcome === 'alreadyPresent') return;
    this.entries.push({
      sourceKey: file.sourceKey,
      key: file.key,
      bucket: this.bucket,
      size: file.size,
      sha256: file.sha256,
      landedAt: file.landedAt.toISOString(),
      deliveredAt: file.confirmedAt.toISOString(),
      outcome: file.outcome,
      via: this.via,
    });
  }

  /** A file that will never be delivered as it is: recorded so that catch-up runs stop retrying it. */
  recordUndeliverable(sourceKey: string, key: string, landedAt: Date, outcome: 'conflict' | 'tooLarge'): void {
    const now = new Date().toISOString();
    this.entries.push({
      sourceKey,
      key,
      bucket: this.bucket,
      size: 0,
      sha256: '',
      landedAt: landedAt.toISOString(),
      deliveredAt: now,
      outcome,
      via: this.via,
    });
  }

  async flush(): Promise<void> {
    const now = Date.now();
    const expiresAt = Math.floor(now / 1000) + LEDGER_DAYS * 86_400;
    const items = this.entries.splice(0).map((entry) => {
      const stamped =
        now - Date.parse(entry.deliveredAt) > RESTAMP_AFTER_MS
          ? { ...entry, deliveredAt: new Date(now).toISOString() }
          : entry;
      return {
        ...keys.deliveredFile(
          this.ref.projectId,
          this.ref.clusterId,
          hourLabel(Date.parse(stamped.deliveredAt)),
          entry.sourceKey,
        ),
        ...stamped,
        expiresAt,
      };
    });
    for (let start = 0; start < items.length; start += BATCH) await writeBatch(items.slice(start, start + BATCH));
  }
}

/** BatchWriteItem, with the items DynamoDB leaves unprocessed written again after a pause. */
async function writeBatch(items: Array<Record<string, unknown>>): Promise<void> {
  let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = items.map((Item) => ({
    PutRequest: { Item },
  }));
  for (let attempt = 1; requests.length > 0; attempt += 1) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`the delivery ledger kept ${requests.length} items unprocessed`);
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const { UnprocessedItems } = await dynamodb.send(
      new BatchWriteCommand({ RequestItems: { [config().TABLE_NAME]: requests } }),
    );
    requests = UnprocessedItems?.[config().TABLE_NAME] ?? [];
  }
}

async function queryPartition(
  pk: string,
  consistent: boolean,
  projection?: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: consistent,
        ExclusiveStartKey: startKey,
        ...(projection ? { ProjectionExpression: projection } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * The platform keys the ledger holds, for files confirmed from the hour of `from` to the hour of
 * `to`: what a catch-up run does not deliver again. Hours are read in parallel, a few at a time.
 */
export async function ledgerSourceKeys(ref: Ref, from: Date, to: Date): Promise<Set<string>> {
  const hours: Date[] = [];
  for (let hour = hourStart(from).getTime(); hour <= to.getTime(); hour += HOUR_MS) hours.push(new Date(hour));
  const found = new Set<string>();
  for (let start = 0; start < hours.length; start += 8) {
    const pages = await Promise.all(
      hours
        .slice(start, start + 8)
        .map((hour) => queryPartition(deliveryLedgerPk(ref.projectId, ref.clusterId, hourLabel(hour)), false, 'sk')),
    );
    for (const item of pages.flat()) found.add(String(item.sk));
  }
  return found;
}

/** The entries of the files confirmed in one hour (strongly consistent: the digest of that hour lists them). */
export async function entriesConfirmedIn(ref: Ref, hour: Date): Promise<LedgerEntry[]> {
  const items = await queryPartition(deliveryLedgerPk(ref.projectId, ref.clusterId, hourLabel(hour)), true);
  return items.map((item) => ({
    sourceKey: String(item.sk),
    key: String(item.key),
    bucket: String(item.bucket),
    size: Number(item.size),
    sha256: String(item.sha256),
    landedAt: String(item.landedAt),
    deliveredAt: String(item.deliveredAt),
    outcome: item.outcome as LedgerOutcome,
    via: item.via as DeliveryPath,
  }));
}
