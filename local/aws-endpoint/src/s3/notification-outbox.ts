/**
 * Delivers committed S3 events to their destinations in the background, so a write answers as
 * soon as it is committed. At least once: an event stays pending (in memory, and in the bucket's
 * journal until marked delivered) until every destination took it; a destination that fails is
 * retried with growing pauses, the others are not sent again. Events are not ordered, as in S3:
 * readers order them per key with the sequencer.
 */
import { AwsError, type NotificationTargets } from '#endpoint/contract';
import { eventBridgeEvent, queueMessage, type Destination, type PendingEvent } from '#endpoint/s3/notification-events';

export interface OutboxOptions {
  firstRetryMs: number;
  maxRetryMs: number;
  /** After this many failed rounds an event is dropped with a log line (a destination gone for good). */
  maxAttempts: number;
}

const DEFAULTS: OutboxOptions = { firstRetryMs: 200, maxRetryMs: 30_000, maxAttempts: 20 };

interface Item {
  event: PendingEvent;
  remaining: Destination[];
  attempts: number;
  delivered: () => void;
}

export class NotificationOutbox {
  private readonly ready: Item[] = [];
  private draining = false;

  constructor(
    private readonly targets: NotificationTargets,
    private readonly options: OutboxOptions = DEFAULTS,
  ) {}

  /** Queues `event`; `delivered` runs once every destination took it (or it was given up). */
  enqueue(event: PendingEvent, delivered: () => void): void {
    this.ready.push({ event, remaining: [...event.destinations], attempts: 0, delivered });
    this.kick();
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let sent = 1; this.ready.length > 0; sent += 1) {
        await this.attempt(this.ready.shift() as Item);
        // Destinations answer in-process: yield now and then so requests keep being served.
        if (sent % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
      if (this.ready.length > 0) this.kick();
    }
  }

  private async attempt(item: Item): Promise<void> {
    const failed: Destination[] = [];
    let lastError: unknown;
    for (const destination of item.remaining) {
      try {
        await this.send(item.event, destination);
      } catch (error) {
        failed.push(destination);
        lastError = error;
      }
    }
    item.remaining = failed;
    if (failed.length === 0) return item.delivered();
    item.attempts += 1;
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    if (item.attempts >= this.options.maxAttempts) {
      console.error(
        `local S3: dropped the ${item.event.name} event of ${item.event.bucket}/${item.event.key} after ` +
          `${item.attempts} attempts: ${reason}`,
      );
      return item.delivered();
    }
    // The runtime answers 503 while it starts: expected, not worth a log line.
    const starting = lastError instanceof AwsError && lastError.statusCode === 503;
    if (item.attempts === 1 && !starting)
      console.error(
        `local S3: will retry the ${item.event.name} event of ${item.event.bucket}/${item.event.key}: ${reason}`,
      );
    const delay = Math.min(this.options.maxRetryMs, this.options.firstRetryMs * 2 ** (item.attempts - 1));
    setTimeout(() => {
      this.ready.push(item);
      this.kick();
    }, delay).unref();
  }

  private send(event: PendingEvent, destination: Destination): Promise<void> {
    if (destination.kind === 'eventbridge') return this.targets.putServiceEvent(eventBridgeEvent(event));
    return this.targets.sendToQueue(destination.arn, queueMessage(event, destination.configurationId));
  }
}
