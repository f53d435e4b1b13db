/**
 * The per-request platform path: verified principals are cached per credential but dropped at once
 * (in this process) on every change that could revoke them; buffered usage counters are exact in
 * one process, reach the database on flush and on close, and their quota checks count the
 * database value plus what is pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf } from '../../src/platform/plans.js';
import type { Principal } from '../../src/platform/principal.js';
import { createPrincipalCache } from '../../src/platform/principal-cache.js';
import { addUser, type Caller, call, createTenant, DIALECTS, type Harness, startHarness } from './harness.js';

const apiKey = async (h: Harness, admin: Caller, role = 'analyst') =>
  (await call(h, 'POST', '/v1/api-keys', admin.token, { name: `k-${role}`, role })).json() as {
    id: string;
    key: string;
  };

/** The counter as stored in the table (not what the service adds from its buffer). */
const stored = async (h: Harness, tenantId: string, metric: string) =>
  (await h.platform.store.withTenant(tenantId, (r) => r.usage.read([periodOf(new Date())])))[
    periodOf(new Date())
  ][metric] ?? 0;

describe.each(DIALECTS)('hot path (%s)', (dialect) => {
  let h: Harness;
  let root: Caller;

  beforeAll(async () => {
    h = await startHarness(dialect);
    root = await createTenant(h, 'Root', 'enterprise', true);
  });
  afterAll(() => h?.close());

  it('refuses a revoked API key on the very next request, though its principal was cached', async () => {
    const a = await createTenant(h, 'Revoke');
    const k = await apiKey(h, a);
    expect((await call(h, 'GET', '/v1/tenants/current', k.key)).statusCode).toBe(200);
    expect((await call(h, 'GET', '/v1/tenants/current', k.key)).statusCode).toBe(200);
    expect((await call(h, 'DELETE', `/v1/api-keys/${k.id}`, a.token)).statusCode).toBe(204);
    const after = await call(h, 'GET', '/v1/tenants/current', k.key);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('UNAUTHENTICATED');
  });

  it('applies a role change, a logout and a suspension on the next request', async () => {
    const a = await createTenant(h, 'Access');
    const m = await addUser(h, a, 'manager');
    const k = await apiKey(h, a, 'viewer');
    expect((await call(h, 'GET', '/v1/tenants/current', m.token)).statusCode).toBe(200);
    // Role change: the session ends (the user logs in again with the new role).
    expect((await call(h, 'PATCH', `/v1/users/${m.userId}`, a.token, { role: 'viewer' })).statusCode).toBe(
      200,
    );
    expect((await call(h, 'GET', '/v1/tenants/current', m.token)).statusCode).toBe(401);
    // Logout ends the admin's cached session at once.
    const other = await addUser(h, a, 'admin');
    expect((await call(h, 'GET', '/v1/tenants/current', other.token)).statusCode).toBe(200);
    expect((await call(h, 'POST', '/v1/auth/logout', other.token)).statusCode).toBeLessThan(300);
    expect((await call(h, 'GET', '/v1/tenants/current', other.token)).statusCode).toBe(401);
    // Suspension refuses the tenant's cached API key.
    expect((await call(h, 'GET', '/v1/tenants/current', k.key)).statusCode).toBe(200);
    expect((await call(h, 'POST', `/v1/tenants/${a.tenantId}/suspend`, root.token)).statusCode).toBe(200);
    const suspended = await call(h, 'GET', '/v1/tenants/current', k.key);
    expect(suspended.json().code).toBe('TENANT_SUSPENDED');
  });

  it('buffers API calls in memory, reports them at once and writes them on flush', async () => {
    const a = await createTenant(h, 'Buffer');
    await h.platform.usage.flush();
    const before = await stored(h, a.tenantId, 'api_calls');
    const k = await apiKey(h, a);
    const res = await Promise.all(
      Array.from({ length: 30 }, () => call(h, 'GET', '/v1/tenants/current', k.key)),
    );
    expect(res.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    // 1 key creation + 30 reads; the report adds what is pending to the table.
    const report = await h.platform.usage.read(a.tenantId, periodOf(new Date()));
    expect(report.metrics.api_calls.used).toBe(before + 31);
    await h.platform.usage.flush();
    expect(await stored(h, a.tenantId, 'api_calls')).toBe(before + 31);
    await h.platform.usage.flush();
    expect(await stored(h, a.tenantId, 'api_calls')).toBe(before + 31);
  });

  it('checks a quota against the stored value plus the pending increments', async () => {
    const a = await createTenant(h, 'Quota');
    await h.platform.usage.add(a.tenantId, 'prediction_rows', 10);
    // Another process's rows, written straight to the table: seen after the next reload.
    await h.platform.store.withTenant(a.tenantId, (r) =>
      r.usage.add(periodOf(new Date()), 'prediction_rows', 5),
    );
    const set = await call(h, 'PUT', `/v1/tenants/${a.tenantId}/quotas`, root.token, { prediction_rows: 20 });
    expect(set.statusCode).toBe(200);
    // 10 pending + 5 stored by "the other process" = 15; 5 more fit, 6 do not.
    await expect(h.platform.usage.add(a.tenantId, 'prediction_rows', 6)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'prediction_rows', limit: 20, used: 15 },
    });
    expect(await h.platform.usage.add(a.tenantId, 'prediction_rows', 5)).toBe(20);
    await expect(h.platform.usage.add(a.tenantId, 'prediction_rows', 1)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    await h.platform.usage.flush();
    expect(await stored(h, a.tenantId, 'prediction_rows')).toBe(20);
  });
});

describe('buffered usage on its own', () => {
  it('flushes pending increments within about a second, without being asked', async () => {
    const h = await startHarness('sqlite');
    try {
      const a = await createTenant(h, 'Timer');
      await h.platform.usage.flush();
      const before = await stored(h, a.tenantId, 'api_calls');
      for (let i = 0; i < 5; i++) await h.platform.usage.countApiCall(a.tenantId);
      const started = Date.now();
      while ((await stored(h, a.tenantId, 'api_calls')) < before + 5 && Date.now() - started < 5_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await stored(h, a.tenantId, 'api_calls')).toBe(before + 5);
      // One interval (1 s) plus scheduling slack on a loaded machine.
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await h.close();
    }
  });

  it('writes pending increments when the platform closes', async () => {
    const h = await startHarness('sqlite');
    const a = await createTenant(h, 'Close');
    await h.platform.usage.flush();
    const before = await stored(h, a.tenantId, 'api_calls');
    for (let i = 0; i < 7; i++) await h.platform.usage.countApiCall(a.tenantId);
    await h.platform.usage.add(a.tenantId, 'prediction_rows', 42);
    expect(await stored(h, a.tenantId, 'api_calls')).toBe(before);
    // The store stays open for this check: close the usage service first, as Platform.close does.
    await h.platform.usage.close();
    expect(await stored(h, a.tenantId, 'api_calls')).toBe(before + 7);
    expect(await stored(h, a.tenantId, 'prediction_rows')).toBe(42);
    await h.close();
  });
});

describe('principal cache', () => {
  const p = (tenantId: string, id: string): Principal => ({
    kind: 'api_key',
    id,
    tenantId,
    role: 'viewer',
    plan: 'pro',
    platformAdmin: false,
  });

  it('expires entries after the TTL or the credential expiry, and is bounded', () => {
    let t = 1_000;
    const cache = createPrincipalCache({ ttlMs: 5_000, maxEntries: 2, now: () => t });
    cache.set('a', p('t1', 'a'), cache.epoch());
    cache.set('b', p('t1', 'b'), cache.epoch(), t + 1_000);
    t += 999;
    expect(cache.get('a')?.id).toBe('a');
    expect(cache.get('b')?.id).toBe('b');
    t += 1;
    expect(cache.get('b')).toBeUndefined();
    cache.set('c', p('t2', 'c'), cache.epoch());
    cache.set('d', p('t2', 'd'), cache.epoch());
    // 'a' was the least recently used of three entries over a bound of two.
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    t += 5_000;
    expect(cache.get('c')).toBeUndefined();
  });

  it('caches nothing with no room or no lifetime', () => {
    for (const cache of [createPrincipalCache({ maxEntries: 0 }), createPrincipalCache({ ttlMs: 0 })]) {
      cache.set('a', p('t1', 'a'), cache.epoch());
      expect(cache.get('a')).toBeUndefined();
      expect(cache.size).toBe(0);
    }
  });

  it('drops a tenant at once and refuses a lookup that raced the drop', () => {
    const cache = createPrincipalCache();
    cache.set('a', p('t1', 'a'), cache.epoch());
    cache.set('b', p('t2', 'b'), cache.epoch());
    const epoch = cache.epoch();
    cache.dropTenant('t1');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.id).toBe('b');
    // Read before the revocation committed: must not be cached.
    cache.set('a', p('t1', 'a'), epoch);
    expect(cache.get('a')).toBeUndefined();
  });
});
