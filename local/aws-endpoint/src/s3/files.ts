/** Small file helpers shared by the bucket, object and upload stores. */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** Writes JSON next to its destination, then renames: readers see the old or the new file, never half. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The same for a JSON-lines file. */
export async function writeJsonLinesAtomically(path: string, lines: string[]): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, lines.map((line) => `${line}\n`).join(''));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** A file name no other write will choose. */
export function uniqueName(suffix: string): string {
  return `${Date.now().toString(36)}-${randomBytes(12).toString('hex')}${suffix}`;
}

export function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Runs `task` after every task queued before it: the parts of one upload commit one at a time. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The commits of one bucket: tasks for different keys run side by side, tasks for the same key
 * one after another (so sidecar, index and data files agree), and an exclusive task (deleting
 * the bucket, changing its settings) runs alone, after the commits under way and before new ones.
 */
export class CommitGate {
  private readonly keyTails = new Map<string, Promise<unknown>>();
  private active = 0;
  private waitingForIdle: Array<() => void> = [];
  private exclusive: Promise<void> | undefined;

  async forKey<T>(key: string, task: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.active += 1;
    try {
      const result = (this.keyTails.get(key) ?? Promise.resolve()).then(task, task);
      const tail = result.catch(() => undefined);
      this.keyTails.set(key, tail);
      try {
        return await result;
      } finally {
        if (this.keyTails.get(key) === tail) this.keyTails.delete(key);
      }
    } finally {
      this.active -= 1;
      if (this.active === 0) for (const wake of this.waitingForIdle.splice(0)) wake();
    }
  }

  async alone<T>(task: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release = () => {};
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.active > 0) await new Promise<void>((resolve) => this.waitingForIdle.push(resolve));
      return await task();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}

/** Loads many small files with bounded concurrency. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
