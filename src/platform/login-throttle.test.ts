import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type CounterStore, memoryCounterStore, redisCounterStore } from './counter-store.js';
import { createLoginThrottle, DEFAULT_THROTTLE } from './login-throttle.js';

const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : undefined;
const prefix = `salescast-test:throttle-${process.pid}-${Date.now()}:`;
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const stores: [string, () => CounterStore][] = [['memory', () => memoryCounterStore()]];
if (redis) stores.push(['redis', () => redisCounterStore(redis, `${prefix}${Math.random()}:`)]);

describe.each(stores)('login throttle (%s store)', (_name, make) => {
  it('locks an account from the 5th failure with a doubling backoff, and a success resets it', async () => {
    const t = createLoginThrottle(make());
    for (let i = 0; i < 4; i++) {
      await t.check('a@x.test', '10.0.0.1');
      await t.recordFailure('a@x.test', '10.0.0.1');
    }
    await expect(t.check('a@x.test', '10.0.0.1')).resolves.toBeUndefined();
    await t.recordFailure('a@x.test', '10.0.0.1');
    const e = await t.check('a@x.test', '10.0.0.2').catch((x) => x);
    expect(e.code).toBe('LOGIN_THROTTLED');
    expect(e.details.retryAfterSeconds).toBe(30);
    // Another account from the same address is still free.
    await expect(t.check('b@x.test', '10.0.0.1')).resolves.toBeUndefined();
    await t.recordFailure('a@x.test', '10.0.0.1');
    expect((await t.check('a@x.test', '10.0.0.3').catch((x) => x)).details.retryAfterSeconds).toBe(60);
    await t.recordSuccess('a@x.test');
    await expect(t.check('a@x.test', '10.0.0.3')).resolves.toBeUndefined();
  });

  it('locks an address that guesses across many accounts', async () => {
    const t = createLoginThrottle(make());
    for (let i = 0; i < DEFAULT_THROTTLE.addressFailures; i++)
      await t.recordFailure(`u${i}@x.test`, '10.9.9.9');
    expect((await t.check('fresh@x.test', '10.9.9.9').catch((x) => x)).code).toBe('LOGIN_THROTTLED');
    await expect(t.check('fresh@x.test', '10.9.9.8')).resolves.toBeUndefined();
  });
});

describe('memory counter store', () => {
  it('expires counts after the window and locks after their time', async () => {
    let now = 0;
    const s = memoryCounterStore(() => now);
    expect(await s.increment('k', 1000)).toBe(1);
    expect(await s.increment('k', 1000)).toBe(2);
    now = 1001;
    expect(await s.increment('k', 1000)).toBe(1);
    await s.lock('k', 500);
    now = 1200;
    expect(await s.lockRemainingMs('k')).toBe(301);
    now = 1600;
    expect(await s.lockRemainingMs('k')).toBe(0);
  });
});
