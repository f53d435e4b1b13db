/**
 * `POST /v1/explain`, `/v1/whatif`, `/v1/goal-seek` and `/v1/reports` through `app.inject`, on a
 * platform whose production models are a fitted demo forecaster (the registry's contract,
 * injected): values, metering, the tenant's branding in the PDF, and 401/400/404 answers naming
 * the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../src/core/dates.js';
import { SalescastError } from '../../src/core/errors.js';
import { type DemoFit, fitDemoForecaster } from '../../src/explain/testing/demo-forecaster.js';
import { isCategorical, seriesCount } from '../../src/features/panel.js';
import type { ProductionModels } from '../../src/mlops/production-models.js';
import {
  type Caller,
  call,
  createTenant,
  DIALECTS,
  type Harness,
  startHarness,
} from '../platform/harness.js';

let fit: DemoFit;
beforeAll(() => {
  fit = fitDemoForecaster({
    stores: 2,
    products: 3,
    days: 200,
    h: 7,
    strategy: 'recursive',
    trees: 40,
    features: 'compact',
  });
});

/** The registry contract with one production model, 'default', for every tenant. */
const productionModels: ProductionModels = {
  async get(tenantId, name = 'default') {
    if (name !== 'default')
      throw new SalescastError('NOT_FOUND', `No production version of model '${name}'.`);
    return { tenantId, name, version: 1, forecaster: fit.forecaster, datasetId: null };
  },
  onChange: () => () => {},
};

/** The panel's rows of the forecast period for `product`, as JSON future rows. */
function futureRows(product: string): Record<string, string | number | null>[] {
  const { panel, history } = fit;
  const rows: Record<string, string | number | null>[] = [];
  for (let s = 0; s < seriesCount(panel); s++) {
    if (!panel.seriesIds[s].endsWith(`/${product}`)) continue;
    const end = history.dates[history.offsets[s + 1] - 1];
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
      if (panel.dates[r] <= end) continue;
      const row: Record<string, string | number | null> = {
        series_id: panel.seriesIds[s],
        date: formatDay(panel.dates[r]),
      };
      for (const [name, col] of Object.entries(panel.exog)) {
        if (isCategorical(col)) row[name] = col.codes[r] < 0 ? null : col.levels[col.codes[r]];
        else row[name] = Number.isNaN(col[r]) ? null : col[r];
      }
      rows.push(row);
    }
  }
  return rows;
}

const elastic = () =>
  [...fit.retailer.truth.products]
    .filter((p) => !p.is_slow_mover)
    .sort((a, b) => a.price_elasticity - b.price_elasticity)[0].product_id;

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe.each(DIALECTS)('explanation routes (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  beforeAll(async () => {
    h = await startHarness(dialect, {}, { productionModels });
    admin = await createTenant(h, 'Explainer');
  });
  afterAll(() => h.close());

  it('answers 401 without credentials, whatever the body', async () => {
    for (const url of ['/v1/explain', '/v1/whatif', '/v1/goal-seek', '/v1/reports']) {
      const res = await call(h, 'POST', url, undefined, { actions: ['nonsense'] });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('explains the production model’s forecast of a series: drivers add up to the forecast', async () => {
    const series = fit.history.seriesIds[0];
    const before = (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used;
    const res = await call(h, 'POST', '/v1/explain', admin.token, { series, global: true, why: {} });
    expect(res.statusCode, res.body).toBe(200);
    const a = res.json();
    expect(a.h).toBe(7);
    expect(a.production).toEqual({ name: 'default', version: 1, dataset_id: null });
    expect(a.rows).toHaveLength(7);
    // Without future rows the drivers of the forecast periods are unknown, as in predict().
    const forecast = fit.forecaster.predict(7);
    const s = forecast.seriesIds.indexOf(series);
    a.rows.forEach((r: { prediction: number; base: number; drivers: Record<string, number> }, k: number) => {
      expect(r.prediction).toBeCloseTo(forecast.models.gbm.yhat[s * 7 + k], 8);
      expect(Math.abs(r.base + sum(r.drivers) - r.prediction)).toBeLessThan(1e-6);
    });
    expect(a.importance.drivers.length).toBeGreaterThan(3);
    expect(a.change.narrative).toMatch(/^Sales of product P\d+ in store S\d+ (rose|fell|did not change)/);
    // Metered as forecasts: one forecast of every series of the model.
    const after = (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used;
    expect(after - before).toBe(seriesCount(fit.history) * 7);
  });

  it('runs a what-if on future drivers sent in the body: more discount, more units', async () => {
    const product = elastic();
    const res = await call(h, 'POST', '/v1/whatif', admin.token, {
      product,
      actions: ['discount+15'],
      future: futureRows(product),
    });
    expect(res.statusCode, res.body).toBe(200);
    const a = res.json();
    expect(a.changed_rows).toBe(2 * 7);
    expect(a.series).toHaveLength(2);
    expect(a.total.scenario).toBeGreaterThan(a.total.baseline * 1.05);
    expect(a.total.scenario_interval[1]).toBeGreaterThan(a.total.scenario);
  });

  it('answers 400 naming the action for a malformed action, 404 naming the field for an unknown product', async () => {
    const bad = await call(h, 'POST', '/v1/whatif', admin.token, { actions: ['promo=on', 'discount+x'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'actions[1]' });
    const unknown = await call(h, 'POST', '/v1/explain', admin.token, { product: 'P999' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', field: 'product' });
    const model = await call(h, 'POST', '/v1/explain', admin.token, { model: 'other' });
    expect(model.statusCode).toBe(404);
    expect(model.json().detail).toContain("'other'");
    const row = await call(h, 'POST', '/v1/whatif', admin.token, {
      actions: ['promo=on'],
      future: [{ series_id: 'S01/P001', date: '2023-13-01' }],
    });
    expect(row.statusCode).toBe(400);
    expect(row.json().field).toBe('future[0].date');
  });

  it('seeks a goal, and says when it is out of reach', async () => {
    const product = elastic();
    const future = futureRows(product);
    const out = await call(h, 'POST', '/v1/goal-seek', admin.token, {
      product,
      driver: 'discount',
      target: 1e6,
      max: 30,
      future,
    });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json()).toMatchObject({ reachable: false, bounds: [0, 30], per: 'week', change: 30 });
    expect(out.json().message).toMatch(/^Not reachable within \[0, 30\]/);
    const baseline = out.json().baseline as number;
    // Every forecast of the search is metered: evaluations × series × h.
    const usage = async () =>
      (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used;
    const before = await usage();
    const reachable = await call(h, 'POST', '/v1/goal-seek', admin.token, {
      product,
      driver: 'discount',
      target: baseline * 1.1,
      future,
    });
    expect(reachable.statusCode, reachable.body).toBe(200);
    const r = reachable.json();
    expect(r).toMatchObject({ reachable: true, driver: 'discount_pct', op: 'add', bounds: [0, 40] });
    expect(r.change).toBeGreaterThan(0);
    expect(r.achieved).toBeGreaterThanOrEqual(baseline * 1.1);
    expect(r.message).toMatch(/^Reachable: discount_pct \+/);
    expect((await usage()) - before).toBe(r.evaluations * seriesCount(fit.history) * 7);
  });

  it('seeks the discount level to set when no discount is planned, and refuses a price factor then', async () => {
    const product = elastic();
    const plain = await call(h, 'POST', '/v1/whatif', admin.token, { product, actions: ['discount=0'] });
    expect(plain.statusCode, plain.body).toBe(200);
    const now = plain.json().total.baseline as number; // 7 days: one week
    const goal = await call(h, 'POST', '/v1/goal-seek', admin.token, {
      product,
      driver: 'discount',
      target: now * 1.1,
    });
    expect(goal.statusCode, goal.body).toBe(200);
    const g = goal.json();
    expect(g).toMatchObject({ reachable: true, driver: 'discount_pct', op: 'set', bounds: [0, 40] });
    expect(g.baseline).toBeCloseTo(now, 9);
    expect(g.achieved).toBeGreaterThanOrEqual(now * 1.1);
    expect(g.change).toBeGreaterThan(0);
    expect(g.message).toMatch(/^Reachable: discount_pct =[\d.]+ gives/);
    // The level found is the scenario `discount=<level>` states.
    const same = await call(h, 'POST', '/v1/whatif', admin.token, {
      product,
      actions: [`discount=${g.change}`],
    });
    expect(same.json().total.scenario).toBeCloseTo(g.achieved, 9);
    const price = await call(h, 'POST', '/v1/goal-seek', admin.token, {
      product,
      driver: 'price',
      target: now,
    });
    expect(price.statusCode).toBe(400);
    expect(price.json().field).toBe('future');
  });

  it('renders the PDF report in the tenant’s white-label branding', async () => {
    const brand = await call(h, 'PUT', '/v1/tenants/current/branding', admin.token, {
      name: 'Explainer Foods',
      colors: { primary: '#aa3300' },
    });
    expect(brand.statusCode, brand.body).toBe(200);
    const res = await call(h, 'POST', '/v1/reports', admin.token, { store: 'S02' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain('report-store-S02.pdf');
    expect(res.headers['x-salescast-model']).toBe('default@1');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain('(Explainer Foods)');
    const both = await call(h, 'POST', '/v1/reports', admin.token, { store: 'S02', product: 'P001' });
    expect(both.statusCode).toBe(400);
    expect(both.json().field).toBe('product');
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/explain', '/v1/whatif', '/v1/goal-seek', '/v1/reports'])
      expect(spec.paths[path]?.post, path).toBeDefined();
    expect(Object.keys(spec.paths['/v1/reports'].post.responses['200'].content)).toEqual(['application/pdf']);
  });
});
