/**
 * Short-lived counters and locks with expiry, used by login throttling. In memory for one process;
 * in Redis when REDIS_URL is set, so that every API process sees the same failures and locks.
 */
import type { Redis } from 'ioredis';

export interface CounterStore {
  /** Adds 1 to `key` and returns the new count; the count expires `windowMs` after its first hit. */
  increment(key: string, windowMs: number): Promise<number>;
  /** Sets a lock on `key` for `ms` milliseconds. */
  lock(key: string, ms: number): Promise<void>;
  /** Milliseconds left on the lock of `key`, 0 if unlocked. */
  lockRemainingMs(key: string): Promise<number>;
  /** Clears the count and the lock of `key`. */
  reset(key: string): Promise<void>;
}

export function memoryCounterStore(now: () => number = Date.now): CounterStore {
  const counts = new Map<string, { n: number; expires: number }>();
  const locks = new Map<string, number>();
  // Guessing with ever new emails must not grow memory without bound: drop expired entries.
  const sweep = (t: number) => {
    for (const [k, c] of counts) if (c.expires <= t) counts.delete(k);
    for (const [k, until] of locks) if (until <= t) locks.delete(k);
  };
  return {
    async increment(key, windowMs) {
      const t = now();
      if (counts.size > 10_000) sweep(t);
      const c = counts.get(key);
      const next = c && c.expires > t ? { n: c.n + 1, expires: c.expires } : { n: 1, expires: t + windowMs };
      counts.set(key, next);
      return next.n;
    },
    async lock(key, ms) {
      locks.set(key, now() + ms);
    },
    async lockRemainingMs(key) {
      const until = locks.get(key);
      if (until === undefined) return 0;
      const left = until - now();
      if (left <= 0) locks.delete(key);
      return Math.max(0, left);
    },
    async reset(key) {
      counts.delete(key);
      locks.delete(key);
    },
  };
}

/** Redis-backed store; every key is put under `prefix` (tests give each run its own). */
export function redisCounterStore(redis: Redis, prefix: string): CounterStore {
  const count = (key: string) => `${prefix}count:${key}`;
  const lockKey = (key: string) => `${prefix}lock:${key}`;
  return {
    async increment(key, windowMs) {
      const [[, n]] = (await redis.multi().incr(count(key)).pexpire(count(key), windowMs, 'NX').exec()) as [
        [Error | null, number],
        [Error | null, number],
      ];
      return Number(n);
    },
    async lock(key, ms) {
      await redis.set(lockKey(key), '1', 'PX', Math.max(1, Math.round(ms)));
    },
    async lockRemainingMs(key) {
      const ms = await redis.pttl(lockKey(key));
      return Math.max(ms, 0);
    },
    async reset(key) {
      await redis.del(count(key), lockKey(key));
    },
  };
}
