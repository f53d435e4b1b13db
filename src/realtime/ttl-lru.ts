/**
 * A small in-memory LRU with a time-to-live per entry. A Map keeps insertion order, so re-inserting
 * on every hit makes its first key the least recently used one; that is all an LRU needs here, and
 * it avoids a dependency for ~40 lines.
 */
export class TtlLru<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

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
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops every key that starts with `prefix` (e.g. one tenant's model version); returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
  }
}
