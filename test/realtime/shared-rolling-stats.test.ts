/**
 * Rolling statistics shared through Redis: two books on one prefix stand for two API processes.
 * Their clocks are the test's, so windows are exact.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStatsBook, SECOND_BUCKETS_UP_TO } from '../../src/realtime/shared-rolling-stats.js';

describe.runIf(process.env.REDIS_URL)('RedisStatsBook', () => {
  let redis: Redis;
  const prefix = `salescast-test:${randomUUID()}:`;
  let nowMs = Date.UTC(2026, 10, 28, 12, 0, 30);
  const clock = () => nowMs;
  const books: RedisStatsBook[] = [];
  const book = () => {
    const b = new RedisStatsBook({ redis, redisPrefix: prefix, now: clock });
    books.push(b);
    return b;
  };

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    for (const b of books) await b.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("sums every process's events inside the window", async () => {
    const a = book();
    const b = book();
    a.of('t1').prediction(7); // 100 s before the summaries: outside a 60-s window
    nowMs += 70_000;
    a.of('t1').prediction(28);
    a.of('t1').actual(10, 12); // error +2
    b.of('t1').actual(20, 15); // error −5
    b.of('t1').anomaly();
    b.of('t2').prediction(3); // another tenant's
    nowMs += 30_000;
    // `a` writes its own events before summing; `b`'s are written by its flush (its timer's job).
    await b.flush();
    expect(await a.summary('t1', 60)).toEqual({
      window_seconds: 60,
      predictions: 1,
      prediction_rows: 28,
      actuals: 2,
      mae: 3.5,
      bias: -1.5,
      wape: 7 / 30,
      anomalies: 1,
    });
    expect(await b.summary('t1', 101)).toMatchObject({ predictions: 2, prediction_rows: 35 });
    expect(await b.summary('t1', 10)).toMatchObject({ predictions: 0, actuals: 0, mae: null, wape: null });
    expect(await a.summary('t2', 60)).toMatchObject({ predictions: 1, prediction_rows: 3 });
  });

  it('sums whole minutes beyond ten minutes, and skips errors that are not numbers', async () => {
    const a = book();
    nowMs = Date.UTC(2026, 10, 28, 13, 0, 10);
    a.of('t3').prediction(1); // 13:00:10
    a.of('t3').actual(5, Number.NaN);
    nowMs += 30 * 60_000; // 13:30:10
    a.of('t3').prediction(2);
    // 600 s: the per-second buckets of 13:20:11–13:30:10.
    expect(await a.summary('t3', SECOND_BUCKETS_UP_TO)).toMatchObject({ predictions: 1, prediction_rows: 2 });
    // 1,800 s: minutes 13:01–13:30, so 13:00:10 falls out; 1,860 s: minutes 13:00–13:30.
    expect(await a.summary('t3', 1800)).toMatchObject({ predictions: 1, prediction_rows: 2, actuals: 0 });
    expect(await a.summary('t3', 1860)).toMatchObject({ predictions: 2, prediction_rows: 3, actuals: 0 });
    // The buckets expire: a second's after 11 minutes, a minute's after a day and two minutes.
    const [secondKey] = await redis.keys(`${prefix}stats:t3:s:*`);
    const [minuteKey] = await redis.keys(`${prefix}stats:t3:m:*`);
    expect(await redis.ttl(secondKey)).toBeGreaterThan(600);
    expect(await redis.ttl(secondKey)).toBeLessThanOrEqual(660);
    expect(await redis.ttl(minuteKey)).toBeGreaterThan(86_400);
    expect(await redis.ttl(minuteKey)).toBeLessThanOrEqual(86_520);
  });
});
