/**
 * The object journal (objects.jsonl) on its own: replay after a restart, damaged and cut-short lines,
 * rewrites, and undelivered event notifications carried over a rewrite.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredObject } from '#endpoint/s3/model';
import type { PendingEvent } from '#endpoint/s3/notification-events';
import { ObjectJournal } from '#endpoint/s3/object-journal';

const dir = mkdtempSync(join(tmpdir(), 'local-s3-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const object = (key: string, size: number): StoredObject => ({
  key,
  size,
  etag: '"e"',
  lastModified: '2030-01-01T00:00:00.000Z',
  dataFile: `${key}-${size}.bin`,
  checksums: {},
  headers: {},
  metadata: {},
  sse: { algorithm: 'AES256' },
});

async function replay(path: string): Promise<Map<string, StoredObject>> {
  const state = new Map<string, StoredObject>();
  const journal = new ObjectJournal(path);
  await journal.load((entry) => {
    if ('put' in entry) state.set(entry.put.key, entry.put as StoredObject);
    else if ('delete' in entry) state.delete(entry.delete);
  });
  await journal.close();
  return state;
}

describe('the object journal', () => {
  it('replays puts and deletes in order, including writes batched together', async () => {
    const path = join(dir, 'order.jsonl');
    const journal = new ObjectJournal(path);
    await journal.load(() => undefined);
    await Promise.all([journal.put(object('a', 1)), journal.put(object('b', 1)), journal.put(object('c', 1))]);
    await journal.delete('a');
    await journal.put(object('b', 2));
    await journal.close();
    const state = await replay(path);
    expect([...state.keys()].sort()).toEqual(['b', 'c']);
    expect(state.get('b')?.size).toBe(2);
  });

  it('skips an unreadable line in the middle and drops a last line cut short', async () => {
    const path = join(dir, 'damaged.jsonl');
    const journal = new ObjectJournal(path);
    await journal.load(() => undefined);
    await journal.put(object('a', 1));
    await journal.close();
    appendFileSync(path, 'garbage\n');
    appendFileSync(path, `${JSON.stringify({ put: object('b', 1) })}\n`);
    appendFileSync(path, JSON.stringify({ put: object('cut', 1) }));
    const state = await replay(path);
    expect([...state.keys()].sort()).toEqual(['a', 'b']);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    // Appends after the repair start on a line of their own.
    const reopened = new ObjectJournal(path);
    await reopened.load(() => undefined);
    await reopened.put(object('c', 1));
    await reopened.close();
    expect([...(await replay(path)).keys()].sort()).toEqual(['a', 'b', 'c']);
  });

  it('rewrites itself with the live objects once most lines are superseded', async () => {
    const path = join(dir, 'compact.jsonl');
    const journal = new ObjectJournal(path);
    await journal.load(() => undefined);
    for (let version = 0; version < 1100; version += 1) await journal.put(object('hot', version));
    expect(journal.isWasteful(1)).toBe(true);
    await journal.rewrite([object('hot', 1099)]);
    expect(journal.isWasteful(1)).toBe(false);
    await journal.put(object('cold', 1));
    await journal.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    const state = await replay(path);
    expect(state.get('hot')?.size).toBe(1099);
    expect(state.has('cold')).toBe(true);
  });

  it('carries undelivered event notifications over a rewrite, and forgets delivered ones', async () => {
    const path = join(dir, 'events.jsonl');
    const event = (id: string) => ({ id, destinations: [{ kind: 'eventbridge' }] }) as unknown as PendingEvent;
    const journal = new ObjectJournal(path);
    await journal.load(() => undefined);
    await journal.append({ put: object('a', 1), event: event('e1') });
    await journal.append({ put: object('b', 1), event: event('e2') });
    await journal.append({ notified: ['e1'] });
    await journal.rewrite([object('a', 1), object('b', 1)], [event('e2')]);
    await journal.append({ put: object('c', 1), event: event('e3') });
    await journal.close();
    const pending = new Set<string>();
    const reopened = new ObjectJournal(path);
    await reopened.load((entry) => {
      if ('notified' in entry) entry.notified.forEach((id) => pending.delete(id));
      else if ('notify' in entry) pending.add(entry.notify.id);
      else if (entry.event) pending.add(entry.event.id);
    });
    await reopened.close();
    expect([...pending].sort()).toEqual(['e2', 'e3']);
  });
});
