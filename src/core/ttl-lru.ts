/**
 * A bounded in-memory cache with a time-to-live per entry that evicts the least recently used
 * entry. Entries sit on a doubly linked list in order of use, found through a Map: a hit relinks
 * its entry at the head, which is pointer work only. (Moving the entry to the end of the Map
 * instead, by deleting and setting it, costs three hash lookups per hit and leaves holes the Map
 * must compact; hits are the common case on the request path.)
 */
interface Entry<V> {
  readonly key: string;
  value: V;
  expires: number;
  /** Toward the most recently used end. */
  newer: Entry<V> | undefined;
  /** Toward the least recently used end. */
  older: Entry<V> | undefined;
}

export class TtlLru<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private newest: Entry<V> | undefined;
  private oldest: Entry<V> | undefined;

  /**
   * @param maxEntries entries kept before the least recently used is evicted (≥ 1)
   * @param ttlMs lifetime of an entry in milliseconds
   * @param now clock in milliseconds (tests pass a fake one)
   */
  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) throw new RangeError('maxEntries must be ≥ 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value of `key`, marking it most recently used; undefined when absent or expired. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) {
      this.remove(e);
      return undefined;
    }
    if (e !== this.newest) {
      this.unlink(e);
      this.linkNewest(e);
    }
    return e.value;
  }

  /** The live value of `key` without marking it used; undefined when absent or expired. */
  peek(key: string): V | undefined {
    const e = this.entries.get(key);
    return e !== undefined && e.expires > this.now() ? e.value : undefined;
  }

  /** Stores `value` until the TTL has passed, or until `expiresAtMs` when that is sooner. */
  set(key: string, value: V, expiresAtMs = Infinity): void {
    const expires = Math.min(this.now() + this.ttlMs, expiresAtMs);
    let e = this.entries.get(key);
    if (e !== undefined) {
      e.value = value;
      e.expires = expires;
      this.unlink(e);
    } else {
      e = { key, value, expires, newer: undefined, older: undefined };
      this.entries.set(key, e);
    }
    this.linkNewest(e);
    if (this.entries.size > this.maxEntries) this.remove(this.oldest as Entry<V>);
  }

  /** The values of the keys that start with `prefix`, expired or not, without marking them used. */
  valuesWithPrefix(prefix: string): V[] {
    const values: V[] = [];
    for (const e of this.entries.values()) if (e.key.startsWith(prefix)) values.push(e.value);
    return values;
  }

  /** Drops every key that starts with `prefix` (e.g. one tenant's model version); returns how many. */
  deletePrefix(prefix: string): number {
    return this.deleteWhere((_, key) => key.startsWith(prefix));
  }

  /** Drops every entry `drop` picks; returns how many. */
  deleteWhere(drop: (value: V, key: string) => boolean): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (drop(e.value, e.key)) {
        this.remove(e);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
    this.newest = this.oldest = undefined;
  }

  private remove(e: Entry<V>): void {
    this.entries.delete(e.key);
    this.unlink(e);
  }

  private unlink(e: Entry<V>): void {
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    e.newer = e.older = undefined;
  }

  private linkNewest(e: Entry<V>): void {
    e.older = this.newest;
    if (this.newest) this.newest.newer = e;
    this.newest = e;
    this.oldest ??= e;
  }
}
