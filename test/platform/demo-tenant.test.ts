/**
 * First-start bootstrap: the demo tenant with its admin, an ingested demo dataset and a production
 * model that serves forecasts at once.
 */
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

  it('creates the demo tenant once, with a dataset, a production model and a working login', async () => {
    const first = await ensureDemoTenant(h.platform, { stores: 2, products: 3, days: 120 });
    expect(first.created).toBe(true);
    const creds = first.login!;
    expect(creds.email).toBe(DEMO_EMAIL);
    const token = await login(h, creds.email, creds.password);
    const tenant = (await call(h, 'GET', '/v1/tenants/current', token)).json();
    expect(tenant).toMatchObject({ id: creds.tenant_id, name: DEMO_TENANT_NAME, plan: 'pro' });
    const ds = (await call(h, 'GET', `/v1/datasets/${creds.dataset_id}`, token)).json();
    expect(ds.rows).toBe(2 * 3 * 120);
    expect(ds.report.rows_rejected).toBeGreaterThanOrEqual(0);
    // The demo admin is a platform super-admin on a fresh install.
    expect((await call(h, 'GET', '/v1/tenants', token)).statusCode).toBe(200);
    const file = await stat(join(h.config.dataDir, 'demo-login.json'));
    expect(file.mode & 0o777).toBe(0o600);

    // The first model is trained on the demo data and promoted: `npm start` serves forecasts.
    expect(creds.model_version).toBe(1);
    const production = await h.platform.productionModels.get(creds.tenant_id);
    expect(production.version).toBe(1);
    expect(production.datasetId).toBe(creds.dataset_id);
    const model = (await call(h, 'GET', '/v1/models/default', token)).json();
    expect(model.model.production_version).toBe(1);
    expect(model.versions[0]).toMatchObject({
      version: 1,
      stage: 'production',
      dataset_id: creds.dataset_id,
    });
    const seriesId = production.forecaster.history.seriesIds[0];
    const res = await call(h, 'POST', '/v1/forecast', token, { series_id: seriesId, h: 7 });
    expect(res.statusCode, res.body).toBe(200);
    const forecast = res.json();
    expect(forecast.model).toEqual({ name: 'default', version: 1 });
    expect(forecast.forecasts).toHaveLength(7);
    for (const row of forecast.forecasts) {
      expect(Object.keys(row.quantiles).sort()).toEqual(['0.1', '0.5', '0.9']);
      expect(row.quantiles['0.1']).toBeLessThanOrEqual(row.quantiles['0.9']);
      expect(Number.isFinite(row.yhat)).toBe(true);
    }

    // Later starts change nothing: no second tenant, no second version.
    const second = await ensureDemoTenant(h.platform);
    expect(second).toEqual({ created: false, login: creds });
    expect((await call(h, 'GET', '/v1/models/default', token)).json().versions).toHaveLength(1);
  });
});
