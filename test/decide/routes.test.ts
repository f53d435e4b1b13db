/**
 * `/v1/decisions/*` on a real platform (SQLite, and PostgreSQL + Redis when DATABASE_URL and
 * REDIS_URL are set) with the production model injected: a GBM forecaster trained on a small
 * ingested demo retailer. Model 'default' records a dataset whose panel.parquet sits in the
 * tenant's dataset folder (stock, prices and costs come from it); model 'history' records none, so
 * stock must come from the request.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalescastError } from '../../src/core/errors.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import type { ProductionModels } from '../../src/mlops/production-models.js';
import { datasetDir } from '../../src/store/files.js';
import {
  type Caller,
  call,
  createTenant,
  DIALECTS,
  type Harness,
  startHarness,
} from '../platform/harness.js';
import { type DemoModel, trainDemoModel } from './demo-model.js';

let demo: DemoModel;
let forecaster: Forecaster;
beforeAll(async () => {
  demo = await trainDemoModel();
  forecaster = Forecaster.deserialize(demo.artifact);
}, 60_000);
afterAll(() => rm(demo.root, { recursive: true, force: true }));

const DATASET = 'ds-demo';

const productionModels: ProductionModels = {
  async get(tenantId, name = 'default') {
    if (name !== 'default' && name !== 'history')
      throw new SalescastError('NOT_FOUND', `No production version of model '${name}'.`);
    return { tenantId, name, version: 1, forecaster, datasetId: name === 'default' ? DATASET : null };
  },
  onChange: () => () => {},
};

/** End-of-day stock of the demo's last day, from its inventory table. */
function lastStock(storeId: string, productId: string): number {
  const rows = demo.retailer.tables.inventory.rows.filter((r) => r[0] === storeId && r[1] === productId);
  return Number(rows.at(-1)?.[3]);
}

describe.each(DIALECTS)('decision routes (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  beforeAll(async () => {
    h = await startHarness(dialect, {}, { productionModels });
    admin = await createTenant(h, 'DecisionsCo');
    const dir = datasetDir(h.config.dataDir, admin.tenantId, DATASET);
    await mkdir(dir, { recursive: true });
    await copyFile(join(demo.panel, 'panel.parquet'), join(dir, 'panel.parquet'));
  }, 60_000);
  afterAll(() => h?.close());

  const post = (path: string, body: unknown) => call(h, 'POST', `/v1/decisions/${path}`, admin.token, body);

  it('documents every route in OpenAPI', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    const paths = Object.keys(res.json().paths).filter((p) => p.startsWith('/v1/decisions/'));
    expect(paths.sort()).toEqual(
      ['expansion', 'inventory', 'pricing', 'stockout-risk', 'summary', 'summary.pdf'].map(
        (p) => `/v1/decisions/${p}`,
      ),
    );
    const inventory = res.json().paths['/v1/decisions/inventory'].post;
    expect(Object.keys(inventory.requestBody.content['application/json'].schema.properties)).toContain(
      'leadTime',
    );
  });

  it('401 without credentials', async () => {
    const res = await call(h, 'POST', '/v1/decisions/inventory', undefined, {});
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('inventory: one plan per series, stock from the dataset panel', async () => {
    const res = await post('inventory', { leadTime: 3, orderCost: 10 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      model: 'gbm',
      horizon: 14,
      frequency: 'day',
      series: 8,
      origin: '2024-02-06',
      panelSource: 'dataset',
      production: { name: 'default', version: 1, datasetId: DATASET },
      settings: { leadTime: 3, reviewPeriod: 1, serviceLevel: 0.95, holdingRate: 0.25, orderCost: 10 },
    });
    expect(body.inventory).toHaveLength(8);
    for (const row of body.inventory) {
      const { plan } = row;
      expect(row.onHand).toBe(lastStock(row.storeId, row.productId));
      expect(row.stockSource).toBe('panel');
      expect(plan.riskPeriods).toBe(4);
      expect(plan.reorderPoint).toBeGreaterThanOrEqual(plan.riskDemandMean);
      expect(plan.orderUpTo).toBeGreaterThanOrEqual(plan.reorderPoint);
      expect(plan.safetyStock).toBeCloseTo(plan.reorderPoint - plan.riskDemandMean, 9);
      expect(plan.reorderDue).toBe(
        plan.inventoryPosition <= plan.reorderPoint && plan.inventoryPosition < plan.orderUpTo,
      );
      // Holding cost: 25% a year of unit cost, per day.
      expect(row.holdingCost).toBeCloseTo((row.unitCost * 0.25) / 365, 12);
      if (plan.reorderDue) {
        expect(plan.orderQuantity).toBe(
          Math.max(plan.orderUpTo - plan.inventoryPosition, Math.ceil(plan.economicOrderQuantity)),
        );
      } else expect(plan.orderQuantity).toBe(0);
    }
  });

  it('inventory: request stock overrides the panel; an empty shelf is critical', async () => {
    const res = await post('inventory', {
      stores: ['S01'],
      products: ['P001'],
      leadTime: 2,
      inventory: [
        { storeId: 'S01', productId: 'P001', onHand: 0, inbound: [{ units: 5, arrivalPeriod: 1 }] },
      ],
    });
    expect(res.statusCode).toBe(200);
    const [row] = res.json().inventory;
    expect(row).toMatchObject({
      storeId: 'S01',
      productId: 'P001',
      onHand: 0,
      inboundUnits: 5,
      stockSource: 'request',
    });
    expect(row.plan.inventoryPosition).toBe(5);
    expect(row.plan.urgency).toBe('critical');
    expect(row.plan.orderQuantity).toBe(row.plan.orderUpTo - 5);
  });

  it('stockout risk: with no stock every unit of demand over the risk horizon is lost', async () => {
    const res = await post('stockout-risk', {
      products: ['P001'],
      riskHorizon: 7,
      inventory: [
        { storeId: 'S01', productId: 'P001', onHand: 0 },
        { storeId: 'S02', productId: 'P001', onHand: 0 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const rows = res.json().stockout;
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.loss.horizon).toBe(7);
      // Lost units come from 20 000 Monte Carlo sums of the quantile forecasts; the demand is exact.
      expect(Math.abs(r.loss.expectedLostUnits / r.loss.expectedDemand - 1)).toBeLessThan(0.005);
      expect(r.loss.expectedLostRevenue).toBeCloseTo(r.loss.expectedLostUnits * r.price, 6);
      expect(r.loss.stockoutProbability).toBeGreaterThan(0.99);
    }
  });

  it('pricing: elasticity where prices vary, and says why not elsewhere', async () => {
    const res = await post('pricing', { grid: { min: 0, max: 30, step: 10 } });
    expect(res.statusCode).toBe(200);
    const rows = res.json().pricing;
    expect(rows.map((r: { productId: string }) => r.productId)).toEqual(['P001', 'P002', 'P003', 'P004']);
    const p001 = rows[0];
    expect(p001.method).toBe('elasticity');
    expect(p001.elasticity.enoughPriceVariation).toBe(true);
    expect(p001.result.curve.map((c: { discountPct: number }) => c.discountPct)).toEqual([0, 10, 20, 30]);
    // Constant elasticity: units(d) = units(0) × (1 − d)^ε.
    const e = p001.elasticity.elasticity;
    expect(p001.result.curve[2].units).toBeCloseTo(p001.baseUnits * 0.8 ** e, 6);
    expect(rows[1]).toMatchObject({ productId: 'P002', method: 'none', result: null });
    expect(rows[1].reason).toContain('single price');
  });

  it('expansion: stores ranked by ROI with the assumptions repeated', async () => {
    const res = await post('expansion', {
      assumptions: { fitOutCostPerSqm: 60, operatingCostPerSqmYear: 5 },
    });
    expect(res.statusCode).toBe(200);
    const { expansion } = res.json();
    expect(expansion.assumptions).toMatchObject({
      fitOutCostPerSqm: 60,
      operatingCostPerSqmYear: 5,
      captureRate: 0.6,
    });
    expect(expansion.stores.map((s: { storeId: string }) => s.storeId).sort()).toEqual(['S01', 'S02']);
    expect(expansion.stores[0].roi).toBeGreaterThanOrEqual(expansion.stores[1].roi);
    expect(expansion.stores[0].investment).toBeCloseTo(expansion.stores[0].addedSqm * 60, 6);
  });

  it('summary: actions ranked by money at stake, anomalies named when given', async () => {
    const res = await post('summary', {
      leadTime: 3,
      anomalies: [
        {
          storeId: 'S01',
          productId: 'P004',
          date: '2024-02-01',
          observedUnits: 90,
          expectedUnits: 40,
          unitValue: 4,
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    const { summary } = res.json();
    expect(res.json().inventory).toBeUndefined();
    const money = summary.actions.map((a: { moneyAtStake: number }) => a.moneyAtStake);
    expect(money).toEqual([...money].sort((a, b) => b - a));
    expect(
      summary.actions.some(
        (a: { kind: string; moneyAtStake: number }) => a.kind === 'anomaly' && a.moneyAtStake === 200,
      ),
    ).toBe(true);
    expect(summary.totals.anomalies).toBe(1);
    expect(summary.headlines).toHaveLength(4);
    const none = await post('summary', { leadTime: 3 });
    expect(none.json().summary.headlines).toContain('No anomalies are known: no anomaly source was given.');
  });

  it('summary.pdf: a PDF with the tenant brand', async () => {
    const put = await call(h, 'PUT', '/v1/tenants/current/branding', admin.token, {
      name: 'Brandvale Foods',
    });
    expect(put.statusCode).toBe(200);
    const res = await post('summary.pdf', { leadTime: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(res.rawPayload.toString('latin1')).toContain('(Brandvale Foods)');
  });

  it('400 on bad input, naming the field', async () => {
    const level = await post('inventory', { serviceLevel: 1.5 });
    expect(level.statusCode).toBe(400);
    const lead = await post('inventory', { leadTime: 20 });
    expect(lead.statusCode).toBe(400);
    expect(lead.json().code).toBe('INVALID_ARGUMENT');
    expect(lead.json().detail).toContain('leadTime');
    const extra = await post('pricing', { discount: 10 });
    expect(extra.statusCode).toBe(400);
  });

  it('404 naming an unknown store or product', async () => {
    const res = await post('inventory', { products: ['P999'] });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain("'P999'");
    const store = await post('stockout-risk', { stores: ['S77'] });
    expect(store.statusCode).toBe(404);
    expect(store.json().detail).toContain("'S77'");
  });

  it('without a dataset, stock must come from the request', async () => {
    const missing = await post('inventory', { model: 'history', products: ['P003'] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toContain('No onHand for S01/P003');
    const res = await post('inventory', {
      model: 'history',
      products: ['P003'],
      inventory: [
        { storeId: 'S01', productId: 'P003', onHand: 100 },
        { storeId: 'S02', productId: 'P003', onHand: 100 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ panelSource: 'training-history', production: { datasetId: null } });
    // Prices and costs still come from the training history's drivers.
    const row = res.json().inventory[0];
    expect(row.unitCost).toBe(demo.retailer.truth.products.find((p) => p.product_id === 'P003')?.unit_cost);
  });
});
