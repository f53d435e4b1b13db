/**
 * The prediction cache: an in-memory TTL LRU (level 1) in front of Redis (level 2, shared by every
 * API process) when REDIS_URL is set. Keys start with the model's `tenant|name|version` and end
 * with a digest of everything a forecast reads, so an entry can never answer for other inputs. A
 * promotion or rollback drops the model's entries from both levels (in Redis by a SCAN over the
 * model's key prefix, which is rare enough to afford).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TtlLru } from '../core/ttl-lru.js';

export interface CacheStats {
  l1_hits: number;
  l1_misses: number;
  l2_hits: number;
  l2_misses: number;
}

export interface PredictionCacheOptions {
  /** Level-1 entries; default 10,000. */
  readonly maxEntries?: number;
  /** Lifetime of an entry in both levels; default 60 s. */
  readonly ttlMs?: number;
  readonly redis?: Redis;
  readonly redisPrefix?: string;
}

export class PredictionCache<V> {
  readonly stats: CacheStats = { l1_hits: 0, l1_misses: 0, l2_hits: 0, l2_misses: 0 };
  private readonly l1: TtlLru<V>;
  private readonly ttlMs: number;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: PredictionCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.l1 = new TtlLru<V>(options.maxEntries ?? 10_000, this.ttlMs);
  }

  /** The cached value and the level that had it, or undefined. */
  async get(key: string): Promise<{ value: V; level: 'l1' | 'l2' } | undefined> {
    // A lookup never sees level-2 entries of a model whose invalidation is still running.
    await this.pending;
    const v = this.l1.get(key);
    if (v !== undefined) {
      this.stats.l1_hits++;
      return { value: v, level: 'l1' };
    }
    this.stats.l1_misses++;
    const { redis } = this.options;
    if (!redis) return undefined;
    const text = await redis.get(this.redisKey(key));
    if (text === null) {
      this.stats.l2_misses++;
      return undefined;
    }
    this.stats.l2_hits++;
    const value = JSON.parse(text) as V;
    this.l1.set(key, value);
    return { value, level: 'l2' };
  }

  async set(key: string, value: V): Promise<void> {
    // A lifetime of 0 turns the cache off (Redis would refuse an expiry of 0 ms).
    if (!(this.ttlMs > 0)) return;
    this.l1.set(key, value);
    const { redis } = this.options;
    if (redis) await redis.set(this.redisKey(key), JSON.stringify(value), 'PX', this.ttlMs);
  }

  /** Drops the entries whose key starts with `prefix` (a model's `tenant|name|`) from both levels. */
  invalidate(prefix: string): void {
    this.l1.deletePrefix(prefix);
    const { redis } = this.options;
    if (!redis) return;
    const pattern = `${this.redisBase()}${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    this.pending = this.pending
      .then(
        () =>
          new Promise<void>((resolve, reject) => {
            const scan = redis.scanStream({ match: pattern, count: 500 });
            const deletes: Promise<number>[] = [];
            scan.on('data', (keys: string[]) => {
              if (keys.length > 0) deletes.push(redis.unlink(...keys));
            });
            scan.on('end', () => Promise.all(deletes).then(() => resolve(), reject));
            scan.on('error', reject);
          }),
      )
      // A failed sweep leaves entries that expire with their TTL; they still hold forecasts of
      // the version in their key, so they are stale, never wrong.
      .catch(() => undefined);
  }

  private redisBase(): string {
    return `${this.options.redisPrefix ?? 'salescast:'}pred:`;
  }

  /** The readable model prefix (for invalidation by SCAN), then a hash of the rest of the key. */
  private redisKey(key: string): string {
    const cut = key.indexOf('|', key.indexOf('|', key.indexOf('|') + 1) + 1);
    const head = cut < 0 ? key : key.slice(0, cut + 1);
    const rest = cut < 0 ? '' : key.slice(cut + 1);
    return `${this.redisBase()}${head}${createHash('sha1').update(rest).digest('base64url')}`;
  }
}
