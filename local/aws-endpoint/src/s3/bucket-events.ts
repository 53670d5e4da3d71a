/**
 * The undelivered event notifications of one bucket. An event enters with the journal line of
 * its write (bucket-store.ts), goes to the outbox, and once delivered is recorded as such in the
 * journal, many at a time. Replaying the journal after a restart finds the events that were
 * committed but never marked delivered, and they are sent again: at least once.
 */
import type { JournalEntry } from '#endpoint/s3/object-journal';
import type { NotificationOutbox } from '#endpoint/s3/notification-outbox';
import type { PendingEvent } from '#endpoint/s3/notification-events';

const DELIVERY_RECORD_DELAY_MS = 50;

export class BucketEvents {
  readonly pending = new Map<string, PendingEvent>();
  private delivered: string[] = [];
  private flushScheduled = false;

  constructor(
    private readonly outbox: NotificationOutbox,
    /** Appends `{"notified": ids}` to the bucket's journal. */
    private readonly recordDelivered: (ids: string[]) => Promise<void>,
  ) {}

  /** Applies the events of one journal line while the journal is replayed. */
  replay(entry: JournalEntry): void {
    if ('notified' in entry) for (const id of entry.notified) this.pending.delete(id);
    else if ('notify' in entry) this.pending.set(entry.notify.id, entry.notify);
    else if (entry.event) this.pending.set(entry.event.id, entry.event);
  }

  /** After the replay: sends what the journal left undelivered. */
  resume(): void {
    for (const event of this.pending.values()) this.outbox.enqueue(event, () => this.markDelivered(event.id));
  }

  /** An event whose write just committed. */
  committed(event: PendingEvent): void {
    this.pending.set(event.id, event);
    this.outbox.enqueue(event, () => this.markDelivered(event.id));
  }

  private markDelivered(id: string): void {
    this.pending.delete(id);
    this.delivered.push(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One journal line records the deliveries of a while: a disk write per event would cost the
    // writers. Losing the line in a crash only means those events are delivered once more.
    setTimeout(() => {
      this.flushScheduled = false;
      const ids = this.delivered.splice(0);
      // A bucket deleted meanwhile has no journal left; its events were delivered all the same.
      this.recordDelivered(ids).catch(() => undefined);
    }, DELIVERY_RECORD_DELAY_MS).unref();
  }
}
