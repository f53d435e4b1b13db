/**
 * The prediction cache's two levels: an entry set is found in memory, then, from a second cache on
 * the same Redis (another process), in Redis; a lifetime of 0 caches nothing at either level.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionCache } from '../../src/realtime/prediction-cache.js';

describe.runIf(process.env.REDIS_URL)('PredictionCache with Redis', () => {
  let redis: Redis;
  const redisPrefix = `salescast-test:${randomUUID()}:`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('answers from memory, then from Redis in another process', async () => {
    const here = new PredictionCache<{ yhat: number }>({ redis, redisPrefix });
    await here.set('t|default|1|S1|7|d|', { yhat: 4 });
    expect(await here.get('t|default|1|S1|7|d|')).toEqual({ value: { yhat: 4 }, level: 'l1' });
    const there = new PredictionCache<{ yhat: number }>({ redis, redisPrefix });
    expect(await there.get('t|default|1|S1|7|d|')).toEqual({ value: { yhat: 4 }, level: 'l2' });
    expect(there.stats).toEqual({ l1_hits: 0, l1_misses: 1, l2_hits: 1, l2_misses: 0 });
  });

  it('caches nothing with a lifetime of 0, and does not fail', async () => {
    const off = new PredictionCache<{ yhat: number }>({ redis, redisPrefix, ttlMs: 0 });
    await off.set('t|default|1|S2|7|d|', { yhat: 5 });
    expect(await off.get('t|default|1|S2|7|d|')).toBeUndefined();
    expect(await redis.keys(`${redisPrefix}pred:t|default|1|*`)).toHaveLength(1); // the first test's
  });
});
