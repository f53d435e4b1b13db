/**
 * Tenant isolation over HTTP: every tenant resource of tenant A, asked for by tenant B, is a 404
 * that shows nothing of A; B's lists never hold A's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
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

describe.each(DIALECTS)('tenant isolation (%s)', (dialect) => {
  let h: Harness;
  let a: Caller;
  let b: Caller;
  let aUser: Caller;
  let aKeyId: string;
  let aDatasetId: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    a = await createTenant(h, 'Alpha');
    b = await createTenant(h, 'Beta');
    aUser = await addUser(h, a, 'analyst');
    aKeyId = (await call(h, 'POST', '/v1/api-keys', a.token, { name: 'alpha-key', role: 'viewer' })).json()
      .id;
    const ds = await upload(h, a.token, demoSources());
    expect(ds.statusCode).toBe(201);
    aDatasetId = ds.json().id;
  });
  afterAll(() => h.close());

  it.each([
    ['GET', () => `/v1/datasets/${aDatasetId}`, undefined],
    ['GET', () => `/v1/users/${aUser.userId}`, undefined],
    ['PATCH', () => `/v1/users/${aUser.userId}`, { role: 'admin' }],
    ['DELETE', () => `/v1/api-keys/${aKeyId}`, undefined],
  ] as const)('%s %s of another tenant is 404 and shows nothing', async (method, url, body) => {
    const res = await call(h, method, url(), b.token, body);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    expect(res.body).not.toMatch(/report|rows|sales\.csv|alpha|analyst/i);
  });

  it("leaves A's resources untouched by B's attempts", async () => {
    const user = await call(h, 'GET', `/v1/users/${aUser.userId}`, a.token);
    expect(user.json().role).toBe('analyst');
    const keys = await call(h, 'GET', '/v1/api-keys', a.token);
    expect(keys.json().api_keys.find((k: { id: string }) => k.id === aKeyId).revoked_at).toBeNull();
  });

  it("B's lists, audit and usage hold none of A's rows", async () => {
    const lists = await Promise.all([
      call(h, 'GET', '/v1/datasets', b.token),
      call(h, 'GET', '/v1/users', b.token),
      call(h, 'GET', '/v1/api-keys', b.token),
      call(h, 'GET', '/v1/audit?limit=1000', b.token),
    ]);
    for (const l of lists) {
      expect(l.statusCode).toBe(200);
      for (const id of [aDatasetId, aUser.userId, aKeyId, a.userId, a.tenantId])
        expect(l.body).not.toContain(id);
    }
    expect(lists[0].json().datasets).toEqual([]);
    expect(lists[1].json().users.map((u: { email: string }) => u.email)).toEqual([b.email]);
    const usage = await call(h, 'GET', '/v1/usage', b.token);
    expect(usage.json().tenant_id).toBe(b.tenantId);
    expect(usage.json().metrics.storage_bytes.used).toBe(0);
  });

  it("a tenant's files live in its own folder", async () => {
    const { readdir } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const tenants = await readdir(join(h.config.dataDir, 'tenants'));
    expect(tenants.sort()).toEqual([a.tenantId, b.tenantId].sort());
    expect(await readdir(join(h.config.dataDir, 'tenants', a.tenantId, 'datasets'))).toEqual([aDatasetId]);
    const bDatasets = await readdir(join(h.config.dataDir, 'tenants', b.tenantId)).catch(() => []);
    expect(bDatasets).not.toContain('datasets');
  });

  it('the repositories of one tenant cannot reach another tenant by id', async () => {
    const found = await h.platform.store.withTenant(b.tenantId, async (r) => ({
      user: await r.users.get(aUser.userId),
      dataset: await r.datasets.get(aDatasetId),
      key: await r.apiKeys.get(aKeyId),
      revoked: await r.apiKeys.revoke(aKeyId),
    }));
    expect(found).toEqual({ user: undefined, dataset: undefined, key: undefined, revoked: false });
  });

  it('lets exactly one of many concurrent creates of one email win, across tenants', async () => {
    const body = { email: 'race@shared.test', password: PASSWORD, role: 'viewer' };
    const res = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(h, 'POST', '/v1/users', i % 2 ? a.token : b.token, body)),
    );
    expect(res.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(res.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'CONFLICT')).toBe(true);
  });
});
