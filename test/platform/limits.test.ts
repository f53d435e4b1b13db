/**
 * Rate limits, quotas and usage counters, oversized and malformed bodies, and injection strings
 * in every text field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  call,
  createTenant,
  DIALECTS,
  demoSources,
  type Harness,
  PASSWORD,
  startHarness,
  upload,
} from './harness.js';

const INJECTIONS = [
  "x'); DROP TABLE users;--",
  "' OR '1'='1",
  '"; DELETE FROM tenants; --',
  "admin'--@evil.test",
  '1; SELECT pg_sleep(5)',
];

describe.each(DIALECTS)('limits (%s)', (dialect) => {
  let h: Harness;
  let root: Caller;
  let t: Caller;

  beforeAll(async () => {
    h = await startHarness(dialect, { maxUploadFileBytes: 64 * 1024 });
    root = await createTenant(h, 'Root', 'enterprise', true);
    t = await createTenant(h, 'Limited', 'starter');
  });
  afterAll(() => h.close());

  it('sends RateLimit-* headers and answers 429 with Retry-After past the limit', async () => {
    // A server of its own with a small limit, so the other tests keep the default one.
    const small = await startHarness(dialect, { rateLimitPerMinute: 40 });
    try {
      await rateLimited(small);
    } finally {
      await small.close();
    }
  });

  async function rateLimited(h: Harness): Promise<void> {
    const t = await createTenant(h, 'Burst');
    const key = (await call(h, 'POST', '/v1/api-keys', t.token, { name: 'burst', role: 'viewer' })).json()
      .key;
    const first = await call(h, 'GET', '/v1/usage', key);
    expect(first.headers['ratelimit-limit']).toBe('40');
    expect(first.headers['ratelimit-remaining']).toBe('39');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    const rest = await Promise.all(Array.from({ length: 45 }, () => call(h, 'GET', '/v1/usage', key)));
    const codes = rest.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(39);
    const limited = rest.find((r) => r.statusCode === 429)!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    expect(limited.json().code).toBe('RATE_LIMITED');
    // Another client (the admin's own token) has a bucket of its own.
    expect((await call(h, 'GET', '/v1/usage', t.token)).statusCode).toBe(200);
  }

  it('counts parallel API calls exactly', async () => {
    const c = await createTenant(h, 'Counter');
    const before = (await call(h, 'GET', '/v1/usage', c.token)).json().metrics.api_calls.used;
    const keys = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (await call(h, 'POST', '/v1/api-keys', c.token, { name: `p${i}`, role: 'viewer' })).json().key,
      ),
    );
    const res = await Promise.all(
      Array.from({ length: 90 }, (_, i) => call(h, 'GET', '/v1/tenants/current', keys[i % 3])),
    );
    expect(res.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
    const after = (await call(h, 'GET', '/v1/usage', c.token)).json().metrics.api_calls.used;
    // 3 key creations + 90 reads + this read.
    expect(after - before).toBe(3 + 90 + 1);
  });

  it('refuses a call past a hard quota with 429 naming the quota', async () => {
    const q = await createTenant(h, 'Quota');
    const used = (await call(h, 'GET', '/v1/usage', q.token)).json().metrics.api_calls.used;
    const set = await call(h, 'PUT', `/v1/tenants/${q.tenantId}/quotas`, root.token, { api_calls: used + 3 });
    expect(set.statusCode).toBe(200);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await call(h, 'GET', '/v1/tenants/current', q.token)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const refused = await call(h, 'GET', '/v1/tenants/current', q.token);
    expect(refused.json()).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'api_calls',
      limit: used + 3,
      used: used + 3,
    });
    expect(refused.json().detail).toContain("'api_calls'");
  });

  it('refuses an upload past the storage quota and stores nothing', async () => {
    const s = await createTenant(h, 'Storage');
    await call(h, 'PUT', `/v1/tenants/${s.tenantId}/quotas`, root.token, { storage_bytes: 100 });
    const res = await upload(h, s.token, demoSources());
    expect(res.statusCode).toBe(429);
    expect(res.json().quota).toBe('storage_bytes');
    const usage = (await call(h, 'GET', '/v1/usage', s.token)).json();
    expect(usage.metrics.storage_bytes.used).toBe(0);
    expect((await call(h, 'GET', '/v1/datasets', s.token)).json().datasets).toEqual([]);
  });

  it('answers oversized and malformed bodies with 4xx problem+json', async () => {
    const big = await h.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
    const cases = [
      { body: '{"email": ', type: 'application/json', status: 400 },
      { body: '', type: 'application/json', status: 400 },
      { body: 'email=a', type: 'text/plain', status: 415 },
      { body: '[1,2,3]', type: 'application/json', status: 400 },
    ];
    for (const c of cases) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/users',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': c.type },
        payload: c.body,
      });
      expect(r.statusCode, c.body).toBe(c.status);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body).not.toMatch(/at .*\.js:\d+/);
    }
    const missing = await call(h, 'POST', '/v1/users', t.token, { email: 'a@b.test', role: 'viewer' });
    expect(missing.json()).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', field: 'password' });
    const extra = await call(h, 'POST', '/v1/users', t.token, {
      email: 'a@b.test',
      password: PASSWORD,
      role: 'viewer',
      admin: true,
    });
    expect(extra.json()).toMatchObject({ status: 400, field: 'admin' });
    const weak = await call(h, 'POST', '/v1/users', t.token, {
      email: 'w@b.test',
      password: 'short',
      role: 'viewer',
    });
    expect(weak.json()).toMatchObject({ status: 400, code: 'WEAK_PASSWORD', field: 'password' });
  });

  it('refuses an oversized upload naming the file, and stores nothing', async () => {
    const huge = `store_id,product_id,date,units\n${'S1,P1,2024-01-01,1\n'.repeat(5000)}`;
    const res = await upload(h, t.token, [['sales.csv', huge]]);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', file: 'sales.csv' });
  });

  it('treats injection strings in every text field as data', async () => {
    for (const s of INJECTIONS) {
      const user = await call(h, 'POST', '/v1/users', t.token, {
        email: s,
        password: PASSWORD,
        role: 'viewer',
      });
      expect(user.statusCode).toBe(400);
      const login = await h.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: s, password: s },
      });
      expect([401, 429]).toContain(login.statusCode);
      const key = await call(h, 'POST', '/v1/api-keys', t.token, { name: s, role: 'viewer' });
      expect(key.statusCode).toBe(201);
      expect(key.json().name).toBe(s);
      const brand = await call(h, 'PUT', '/v1/tenants/current/branding', t.token, { name: s });
      expect(brand.json().name).toBe(s);
      for (const url of [
        `/v1/datasets/${encodeURIComponent(s)}`,
        `/v1/users/${encodeURIComponent(s)}`,
        `/v1/audit?actor=${encodeURIComponent(s)}&action=${encodeURIComponent(s)}`,
      ]) {
        const r = await call(h, 'GET', url, t.token);
        expect([200, 404]).toContain(r.statusCode);
        if (r.statusCode === 200) expect(r.json().entries).toEqual([]);
      }
      const tenant = await call(h, 'POST', '/v1/tenants', root.token, {
        name: s,
        plan: 'starter',
        admin_email: `x${INJECTIONS.indexOf(s)}@inj.test`,
        admin_password: PASSWORD,
      });
      expect(tenant.statusCode).toBe(201);
    }
    const names = (await call(h, 'GET', '/v1/tenants', root.token))
      .json()
      .tenants.map((x: { name: string }) => x.name);
    for (const s of INJECTIONS) expect(names).toContain(s.trim());
    // Every table is still there and still answers.
    expect((await call(h, 'GET', '/v1/users', t.token)).statusCode).toBe(200);
    expect((await call(h, 'GET', '/v1/audit/verify', t.token)).json().ok).toBe(true);
  });
});
