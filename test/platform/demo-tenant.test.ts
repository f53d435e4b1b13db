/** First-start bootstrap: the demo tenant with its admin and an ingested demo dataset. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL, DEMO_TENANT_NAME, ensureDemoTenant } from '../../src/platform/demo-tenant.js';
import { call, type Harness, login, startHarness } from './harness.js';

describe('ensureDemoTenant', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h.close());

  it('creates the demo tenant once, with a dataset and a working login', async () => {
    const first = await ensureDemoTenant(h.platform, { stores: 2, products: 3, days: 60 });
    expect(first.created).toBe(true);
    const creds = first.login!;
    expect(creds.email).toBe(DEMO_EMAIL);
    const token = await login(h, creds.email, creds.password);
    const tenant = (await call(h, 'GET', '/v1/tenants/current', token)).json();
    expect(tenant).toMatchObject({ id: creds.tenant_id, name: DEMO_TENANT_NAME, plan: 'pro' });
    const ds = (await call(h, 'GET', `/v1/datasets/${creds.dataset_id}`, token)).json();
    expect(ds.rows).toBe(2 * 3 * 60);
    expect(ds.report.rows_rejected).toBeGreaterThanOrEqual(0);
    // The demo admin is a platform super-admin on a fresh install.
    expect((await call(h, 'GET', '/v1/tenants', token)).statusCode).toBe(200);
    const file = await stat(join(h.config.dataDir, 'demo-login.json'));
    expect(file.mode & 0o777).toBe(0o600);

    const second = await ensureDemoTenant(h.platform);
    expect(second).toEqual({ created: false, login: creds });
  });
});
