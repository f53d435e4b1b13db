/**
 * The whole permission matrix over HTTP: every role, as a user and as an API key, against every
 * route. A route the role may use answers its success status; any other answers 403.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Permission, ROLES, type Role } from '../../src/platform/permissions.js';
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

interface Fixture {
  admin: Caller;
  otherUserId: string;
  datasetId: string;
}

interface RouteCase {
  name: string;
  /** The permission it needs; 'platform' for super-admin routes, null for any caller. */
  needs: Permission | 'platform' | null;
  success: number;
  run(h: Harness, token: string, f: Fixture): Promise<LightMyRequestResponse>;
}

let keyCounter = 0;
const period = new Date().toISOString().slice(0, 7);

const ROUTES: RouteCase[] = [
  {
    name: 'GET /v1/tenants/current',
    needs: null,
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/tenants/current', t),
  },
  {
    name: 'GET /v1/tenants/current/branding',
    needs: null,
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/tenants/current/branding', t),
  },
  {
    name: 'PUT /v1/tenants/current/branding',
    needs: 'settings:manage',
    success: 200,
    run: (h, t) =>
      call(h, 'PUT', '/v1/tenants/current/branding', t, { name: 'Acme', colors: { primary: '#112233' } }),
  },
  {
    name: 'GET /v1/tenants',
    needs: 'platform',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/tenants', t),
  },
  {
    name: 'POST /v1/tenants',
    needs: 'platform',
    success: 201,
    run: (h, t) =>
      call(h, 'POST', '/v1/tenants', t, {
        name: 'X',
        plan: 'starter',
        admin_email: 'x@x.test',
        admin_password: PASSWORD,
      }),
  },
  {
    name: 'POST /v1/tenants/:id/suspend',
    needs: 'platform',
    success: 200,
    run: (h, t, f) => call(h, 'POST', `/v1/tenants/${f.admin.tenantId}/suspend`, t),
  },
  {
    name: 'PUT /v1/tenants/:id/quotas',
    needs: 'platform',
    success: 200,
    run: (h, t, f) => call(h, 'PUT', `/v1/tenants/${f.admin.tenantId}/quotas`, t, { models: 9 }),
  },
  {
    name: 'POST /v1/users',
    needs: 'users:manage',
    success: 201,
    run: (h, t) =>
      call(h, 'POST', '/v1/users', t, {
        email: `u${keyCounter++}@rbac.test`,
        password: PASSWORD,
        role: 'viewer',
      }),
  },
  {
    name: 'GET /v1/users',
    needs: 'users:manage',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/users', t),
  },
  {
    name: 'GET /v1/users/:id',
    needs: 'users:manage',
    success: 200,
    run: (h, t, f) => call(h, 'GET', `/v1/users/${f.otherUserId}`, t),
  },
  {
    name: 'PATCH /v1/users/:id',
    needs: 'users:manage',
    success: 200,
    run: (h, t, f) => call(h, 'PATCH', `/v1/users/${f.otherUserId}`, t, { role: 'viewer' }),
  },
  {
    name: 'POST /v1/api-keys',
    needs: 'api-keys:manage',
    success: 201,
    run: (h, t) => call(h, 'POST', '/v1/api-keys', t, { name: `k${keyCounter++}`, role: 'viewer' }),
  },
  {
    name: 'GET /v1/api-keys',
    needs: 'api-keys:manage',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/api-keys', t),
  },
  {
    name: 'DELETE /v1/api-keys/:id',
    needs: 'api-keys:manage',
    success: 204,
    run: async (h, t, f) => {
      const k = await call(h, 'POST', '/v1/api-keys', f.admin.token, {
        name: `d${keyCounter++}`,
        role: 'viewer',
      });
      return call(h, 'DELETE', `/v1/api-keys/${k.json().id}`, t);
    },
  },
  {
    name: 'GET /v1/datasets',
    needs: 'datasets:view',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/datasets', t),
  },
  {
    name: 'GET /v1/datasets/:id',
    needs: 'datasets:view',
    success: 200,
    run: (h, t, f) => call(h, 'GET', `/v1/datasets/${f.datasetId}`, t),
  },
  {
    // A permitted caller reaches the file-name check (400) without paying for a whole ingestion;
    // datasets.test.ts covers successful uploads.
    name: 'POST /v1/datasets',
    needs: 'datasets:upload',
    success: 400,
    run: (h, t) => upload(h, t, [['unknown.csv', 'a,b\n1,2\n']]),
  },
  { name: 'GET /v1/usage', needs: 'usage:view', success: 200, run: (h, t) => call(h, 'GET', '/v1/usage', t) },
  {
    name: 'GET /v1/invoices',
    needs: 'billing:view',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/invoices', t),
  },
  {
    name: 'GET /v1/invoices/:period',
    needs: 'billing:view',
    success: 200,
    run: (h, t) => call(h, 'GET', `/v1/invoices/${period}`, t),
  },
  { name: 'GET /v1/audit', needs: 'audit:view', success: 200, run: (h, t) => call(h, 'GET', '/v1/audit', t) },
  {
    name: 'GET /v1/audit/verify',
    needs: 'audit:view',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/audit/verify', t),
  },
  {
    name: 'GET /v1/audit/report',
    needs: 'audit:view',
    success: 200,
    run: (h, t) => call(h, 'GET', '/v1/audit/report', t),
  },
];

const allowed = (role: Role, needs: RouteCase['needs']) =>
  needs === null || (needs !== 'platform' && can(role, needs));

describe.each(DIALECTS)('permission matrix (%s)', (dialect) => {
  let h: Harness;
  let f: Fixture;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(dialect);
    const admin = await createTenant(h, 'Rbac');
    const other = await addUser(h, admin, 'viewer');
    const ds = await upload(h, admin.token, demoSources());
    expect(ds.statusCode).toBe(201);
    f = { admin, otherUserId: other.userId, datasetId: ds.json().id };
    for (const role of ROLES) {
      tokens[`user:${role}`] = role === 'admin' ? admin.token : (await addUser(h, admin, role)).token;
      const key = await call(h, 'POST', '/v1/api-keys', admin.token, { name: `key-${role}`, role });
      tokens[`key:${role}`] = key.json().key;
    }
  });
  afterAll(() => h.close());

  for (const kind of ['user', 'key'] as const) {
    for (const role of ROLES) {
      it(`${kind} with role ${role} gets exactly its permissions`, async () => {
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        for (const r of ROUTES) {
          got[r.name] = (await r.run(h, tokens[`${kind}:${role}`], f)).statusCode;
          want[r.name] = allowed(role, r.needs) ? r.success : 403;
        }
        expect(got).toEqual(want);
      });
    }
  }

  it('a platform super-admin may manage tenants', async () => {
    const root = await createTenant(h, 'Root', 'enterprise', true);
    const created = await call(h, 'POST', '/v1/tenants', root.token, {
      name: 'Made by root',
      plan: 'starter',
      admin_email: 'first@made.test',
      admin_password: PASSWORD,
    });
    expect(created.statusCode).toBe(201);
    const list = await call(h, 'GET', '/v1/tenants', root.token);
    expect(list.json().tenants.map((t: { name: string }) => t.name)).toContain('Made by root');
    const q = await call(h, 'PUT', `/v1/tenants/${created.json().tenant_id}/quotas`, root.token, {
      api_calls: 5,
      models: null,
    });
    expect(q.statusCode).toBe(200);
    expect(q.json().quotas.api_calls).toBe(5);
    expect(q.json().quota_overrides).toEqual({ api_calls: 5 });
    const s = await call(h, 'POST', `/v1/tenants/${created.json().tenant_id}/suspend`, root.token);
    expect(s.json().status).toBe('suspended');
    const refused = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'first@made.test', password: PASSWORD },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('TENANT_SUSPENDED');
  });
});
