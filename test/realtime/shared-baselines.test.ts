/**
 * Anomaly baselines shared through Redis: two detectors of one model version on one store stand
 * for two processes. What one judges, the other judges on.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnomalyDetector } from '../../src/realtime/anomaly.js';
import { RedisBaselineStore } from '../../src/realtime/shared-baselines.js';

describe.runIf(process.env.REDIS_URL)('RedisBaselineStore', () => {
  let redis: Redis;
  let store: RedisBaselineStore;
  const prefix = `salescast-test:${randomUUID()}:`;
  const noisy = (k: number) => 20 + ((k * 7919) % 9) - 4;
  const detectors = (modelKey: string) =>
    [0, 1].map(() => new AnomalyDetector('day', { minHistory: 14 }, { store, modelKey }));

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
    store = new RedisBaselineStore(redis, prefix);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("judges one process's actual on the residuals another process judged", async () => {
    const [a, b] = detectors('t|default|1');
    await a.refresh(['s1']);
    for (let k = 0; k < 14; k++) expect(a.observeActual('s1', noisy(k), 20)).toBeNull();
    await a.flush();
    // `b` has judged nothing itself; on its own it would need 14 residuals first.
    await b.refresh(['s1']);
    expect(b.observeActual('s1', 80, 20)).toMatchObject({ kind: 'actual_spike', severity: 'critical' });
    await b.flush();
    // The spike stays out of the baseline both now read: 14 values, the run of findings at 1.
    const stored = JSON.parse((await redis.get(`${prefix}anomaly:t|default|1:r|s1`))!);
    expect(stored.values).toHaveLength(14);
    expect(stored.run).toBe(1);
    // A three-finding run is a level shift whichever process saw each finding.
    await a.refresh(['s1']);
    expect(a.observeActual('s1', 80, 20)).not.toBeNull();
    await a.flush();
    await b.refresh(['s1']);
    expect(b.observeActual('s1', 80, 20)).not.toBeNull();
    await b.flush();
    expect(JSON.parse((await redis.get(`${prefix}anomaly:t|default|1:r|s1`))!).values).toHaveLength(15);
  });

  it('judges a forecast once, whichever process made it, and keeps versions apart', async () => {
    const [a, b] = detectors('t|default|2');
    await a.refresh(['s1']);
    for (let k = 0; k < 14; k++) a.observeForecast('s1', 50 + (k % 3), 50, 0, `d${k}:${50 + (k % 3)}`);
    await a.flush();
    await b.refresh(['s1']);
    // The same forecast (date and value) again: already judged, so neither judged nor added.
    expect(b.observeForecast('s1', 5, 50, 0, 'd13:51')).toBeNull();
    expect(b.observeForecast('s1', 5, 50, 0, 'd14:5')).toMatchObject({ kind: 'forecast_drop', expected: 51 });
    await b.flush();
    const stored = JSON.parse((await redis.get(`${prefix}anomaly:t|default|2:f|s1`))!);
    expect(stored).toMatchObject({ run: 1, judged: 'd14:5' });
    expect(stored.values).toHaveLength(14);
    // Another version of the model starts from nothing.
    const [other] = detectors('t|default|3');
    await other.refresh(['s1']);
    expect(other.observeForecast('s1', 5, 50, 0, 'd14:5')).toBeNull();
    // Keys expire after 30 days untouched.
    expect(await redis.ttl(`${prefix}anomaly:t|default|2:f|s1`)).toBeGreaterThan(29 * 86_400);
  });
});
