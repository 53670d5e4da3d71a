/**
 * The state behind conditional writes (conditional-writes.ts has their rules): which writes are
 * under way on each key of a bucket, so that a delete committing meanwhile makes them conflict
 * (409 ConditionalRequestConflict). A bucket's store owns one tracker; the request side only
 * hands it the precondition to check.
 */
import type { StoredObject } from '#endpoint/s3/model';

export interface WritePrecondition {
  /** Whether the request carries a condition at all (unconditional writes never conflict). */
  readonly conditional: boolean;
  /** Throws 409 / 412 / 404 against the key's current version, at commit time. */
  check(current: StoredObject | undefined, conflict: ConflictTicket | undefined): void;
}

export interface ConflictTicket {
  readonly key: string;
  conflicted: boolean;
}

/**
 * The writes under way on each key (conditional PutObject / CopyObject requests while their body
 * streams, and every open multipart upload), so a delete that commits meanwhile can mark them.
 * In memory only: after a restart, an upload forgets deletes that happened before it.
 */
export class ConflictTracker {
  private readonly byKey = new Map<string, Set<ConflictTicket>>();

  begin(key: string): ConflictTicket {
    const ticket: ConflictTicket = { key, conflicted: false };
    let tickets = this.byKey.get(key);
    if (!tickets) this.byKey.set(key, (tickets = new Set()));
    tickets.add(ticket);
    return ticket;
  }

  end(ticket: ConflictTicket): void {
    const tickets = this.byKey.get(ticket.key);
    tickets?.delete(ticket);
    if (tickets?.size === 0) this.byKey.delete(ticket.key);
  }

  /** A delete of `key` committed: every write under way on it now conflicts. */
  deleted(key: string): void {
    for (const ticket of this.byKey.get(key) ?? []) ticket.conflicted = true;
  }

  /** Runs a conditional write with a ticket held while it streams and commits. */
  async during<T>(
    key: string,
    precondition: WritePrecondition,
    write: (ticket: ConflictTicket | undefined) => Promise<T>,
  ): Promise<T> {
    if (!precondition.conditional) return write(undefined);
    const ticket = this.begin(key);
    try {
      return await write(ticket);
    } finally {
      this.end(ticket);
    }
  }
}
