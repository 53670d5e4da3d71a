/**
 * The keys of one bucket, kept sorted in memory the way S3 lists them (by UTF-8 bytes), so
 * ListObjectsV2 over tens of thousands of keys is a binary search plus a short walk instead of
 * a directory scan.
 */

/**
 * UTF-8 byte order equals code point order; JavaScript compares UTF-16 code units, which differ
 * only when one side is a surrogate (a code point above U+FFFF) and the other is U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left === right) continue;
    if (left >= 0xd800 && right >= 0xd800) {
      return (a.codePointAt(index) ?? 0) - (b.codePointAt(index) ?? 0);
    }
    return left - right;
  }
  return a.length - b.length;
}

export class SortedIndex<T> {
  private readonly entries = new Map<string, T>();
  private readonly keys: string[] = [];

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    if (!this.entries.has(key)) this.keys.splice(this.lowerBound(key), 0, key);
    this.entries.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.keys.splice(this.lowerBound(key), 1);
    return true;
  }

  /** Keys from the first one >= `from` (or > `from` when `exclusive`), in order. */
  *keysFrom(from: string, exclusive = false): Generator<string> {
    let index = this.lowerBound(from);
    if (exclusive && this.keys[index] === from) index += 1;
    for (; index < this.keys.length; index += 1) {
      const key = this.keys[index];
      if (key !== undefined) yield key;
    }
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareUtf8(this.keys[middle] ?? '', key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** List strictly after this key or common prefix (start-after, marker, continuation token). */
  after: string;
}

export interface ListPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts after. */
  last: string | undefined;
}

/**
 * One page of a listing. Keys that share a prefix up to the delimiter roll up into one common
 * prefix, which counts once against maxKeys; a page that ends on a common prefix resumes after
 * every key under it.
 */
export function listPage<T>(index: SortedIndex<T>, query: ListQuery): ListPage {
  const { prefix, delimiter, maxKeys, after } = query;
  const page: ListPage = { keys: [], commonPrefixes: [], isTruncated: false, last: undefined };
  const start = compareUtf8(after, prefix) > 0 ? after : prefix;
  let rolledUp: string | undefined;

  // Keys under the prefix form one contiguous run starting at the prefix.
  for (const key of index.keysFrom(start, start === after)) {
    if (!key.startsWith(prefix)) break;
    if (rolledUp !== undefined && key.startsWith(rolledUp)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const item = cut === -1 ? key : key.slice(0, cut + delimiter.length);
    if (cut !== -1) {
      rolledUp = item;
      // A common prefix at or before the marker was returned already (or was skipped on purpose).
      if (compareUtf8(item, after) <= 0) continue;
    }
    if (page.keys.length + page.commonPrefixes.length >= maxKeys) {
      page.isTruncated = true;
      break;
    }
    if (cut === -1) page.keys.push(key);
    else page.commonPrefixes.push(item);
    page.last = item;
  }
  return page;
}
