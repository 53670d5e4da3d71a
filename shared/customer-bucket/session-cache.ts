/**
 * The per-container cache of assumed-role sessions. Bounded: at most `maxEntries` sessions, the
 * least recently used one dropped first, so a container serving thousands of integrations holds a
 * fixed amount of memory and a fixed number of live credentials. Never older than its credentials:
 * each session leaves the cache when it comes within `renewBeforeMs` of expiring (a timer, so an
 * unused one does not linger either), and the next use assumes the role afresh. A failed
 * AssumeRole is not cached. Concurrent requests for one session share a single AssumeRole call.
 */
import type { AwsCredentialIdentity } from '@smithy/types';

type Credentials = AwsCredentialIdentity & { expiration?: Date };

interface Entry {
  credentials: Promise<Credentials>;
  timer?: NodeJS.Timeout;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly renewBeforeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, assume: () => Promise<Credentials>): Promise<Credentials> {
    const cached = this.entries.get(key);
    if (cached) {
      const credentials = await cached.credentials.catch(() => undefined);
      if (credentials && this.isFresh(credentials) && this.entries.get(key) === cached) {
        // Most recently used last: the Map's order is the eviction order.
        this.entries.delete(key);
        this.entries.set(key, cached);
        return credentials;
      }
      if (this.entries.get(key) === cached) this.forget(key);
    }
    const entry: Entry = { credentials: assume() };
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.forget(oldest);
    }
    entry.credentials.then(
      (credentials) => {
        if (this.entries.get(key) !== entry || !credentials.expiration) return;
        entry.timer = setTimeout(
          () => this.entries.get(key) === entry && this.forget(key),
          Math.max(0, credentials.expiration.getTime() - this.renewBeforeMs - this.now()),
        );
        entry.timer.unref();
      },
      () => this.entries.get(key) === entry && this.forget(key),
    );
    return entry.credentials;
  }

  private isFresh(credentials: Credentials): boolean {
    return credentials.expiration !== undefined && credentials.expiration.getTime() - this.now() > this.renewBeforeMs;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(key);
  }
}
