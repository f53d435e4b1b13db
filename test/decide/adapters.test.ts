/**
 * The adapters from forecasts and the ingested panel to the decision library's inputs, checked
 * against values they were given: quantile forecasts come back as the distribution's quantiles,
 * and the panel read through ingestion gives the same stock, prices, elasticities and store
 * revenue as the demo retailer's own tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/dates.js';
import { SalescastError } from '../../src/core/errors.js';
import { type DemoRetailer, generateDemoRetailer } from '../../src/data/demo/generate.js';
import { writeDemoRetailer } from '../../src/data/demo/writers.js';
import { readTable, type Table } from '../../src/data/duckdb.js';
import { ingestSources } from '../../src/data/ingest/index.js';
import {
  forecastDemand,
  panelColumnsOf,
  panelColumnsThrough,
  panelSalesHistory,
  panelSeriesStates,
  panelStoreHistories,
} from '../../src/decide/adapters.js';
import { resolveSeriesInputs, selectSeries, summaryDecision } from '../../src/decide/adapters-decisions.js';
import { demoSalesHistory } from '../../src/decide/testing/demo-history.js';
import type { Panel } from '../../src/features/panel.js';
import { estimateElasticities } from '../../src/forecast/elasticity.js';
import type { ForecastResult } from '../../src/forecast/forecaster.js';
import { readForecastData } from '../../src/store/forecast-data.js';

let root: string;
let retailer: DemoRetailer;
let table: Table;
let panel: Panel;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'salescast-adapters-'));
  retailer = generateDemoRetailer({ stores: 3, products: 5, days: 500, seed: 7 });
  await writeDemoRetailer(retailer, join(root, 'sources'), 'csv');
  await ingestSources({ sources: join(root, 'sources'), out: join(root, 'panel') });
  table = await readTable(join(root, 'panel', 'panel.parquet'));
  panel = await readForecastData(join(root, 'panel'));
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

function forecast(quantiles: Record<number, number[]>, h: number, ids: string[]): ForecastResult {
  return {
    seriesIds: ids,
    h,
    dates: new Int32Array(ids.length * h),
    models: {
      gbm: {
        yhat: new Float64Array(ids.length * h),
        quantiles: new Map(Object.entries(quantiles).map(([q, v]) => [Number(q), Float64Array.from(v)])),
      },
    },
  };
}

describe('forecastDemand', () => {
  it('reproduces the quantiles it was given, per series and period', () => {
    const result = forecast({ 0.1: [2, 4, 10, 12], 0.5: [5, 8, 20, 22], 0.9: [9, 15, 31, 35] }, 2, [
      'S01/P001',
      'S01/P002',
    ]);
    const demand = forecastDemand(result, 'gbm');
    expect([...demand.keys()]).toEqual(['S01/P001', 'S01/P002']);
    const [a, b] = demand.get('S01/P002') as ReturnType<typeof demand.get> & object;
    expect(a.kind).toBe('quantiles');
    expect(a.quantile(0.1)).toBeCloseTo(10, 12);
    expect(a.quantile(0.5)).toBeCloseTo(20, 12);
    expect(a.quantile(0.9)).toBeCloseTo(31, 12);
    expect(b.quantile(0.5)).toBeCloseTo(22, 12);
    expect(b.cdf(35)).toBeCloseTo(0.9, 12);
    // The tails continue the outer slopes: Q(0) = 10 − 0.1 × 25 = 7.5, Q(1) = 31 + 0.1 × 27.5.
    expect(a.mean).toBeCloseTo(
      0.05 * (7.5 + 10) + 0.2 * (10 + 20) + 0.2 * (20 + 31) + 0.05 * (31 + 33.75),
      9,
    );
  });

  it('raises negative quantiles to 0 and refuses a forecast without quantiles', () => {
    const [d] =
      forecastDemand(forecast({ 0.1: [-3], 0.5: [1], 0.9: [4] }, 1, ['S/P']), 'gbm').get('S/P') ?? [];
    expect(d.quantile(0.1)).toBe(0);
    expect(d.quantile(0.5)).toBeCloseTo(1, 12);
    expect(() => forecastDemand(forecast({}, 1, ['S/P']), 'gbm')).toThrow(/forecasts no quantiles/);
    expect(() => forecastDemand(forecast({ 0.5: [1] }, 1, ['S/P']), 'rf')).toThrow(/no model 'rf'/);
  });
});

describe('panel adapters', () => {
  it('series state: the last day’s stock, price and cost of every series', () => {
    const states = panelSeriesStates(table);
    expect(states.size).toBe(15);
    const last = retailer.truth.window.last_period;
    for (const [id, s] of states) {
      expect(id).toBe(`${s.storeId}/${s.productId}`);
      expect(s.lastDay).toBe(parseIsoDay(last));
      const inv = retailer.tables.inventory.rows.find(
        (r) => r[0] === s.storeId && r[1] === s.productId && r[2] === last,
      );
      expect(s.onHand).toBe(Number(inv?.[3]));
      const p = retailer.truth.products.find((x) => x.product_id === s.productId);
      expect(s.unitCost).toBe(p?.unit_cost);
      expect(s.basePrice).toBe(p?.base_price);
      const price = retailer.tables.prices.rows.find(
        (r) => r[0] === s.storeId && r[1] === s.productId && r[2] === last,
      );
      expect(s.shelfPrice).toBe(Number(price?.[3]));
      expect(s.paidPrice).toBeCloseTo(Number(price?.[3]) * (1 - Number(price?.[4]) / 100), 4);
    }
  });

  it('panelColumnsThrough: the state of an earlier day', () => {
    const day = parseIsoDay('2023-09-30') as number;
    const s = panelSeriesStates(panelColumnsThrough(table, day)).get('S02/P003');
    const inv = retailer.tables.inventory.rows.find(
      (r) => r[0] === 'S02' && r[1] === 'P003' && r[2] === '2023-09-30',
    );
    expect(s?.lastDay).toBe(day);
    expect(s?.onHand).toBe(Number(inv?.[3]));
  });

  it('sales history: the same elasticities as the demo tables give', () => {
    const fromPanel = estimateElasticities(panelSalesHistory(table));
    const fromTables = estimateElasticities(demoSalesHistory(retailer));
    expect(fromPanel.map((e) => e.productId)).toEqual(fromTables.map((e) => e.productId));
    fromPanel.forEach((e, j) => {
      const t = fromTables[j];
      expect(e.rows).toBe(t.rows);
      expect(e.enoughPriceVariation).toBe(t.enoughPriceVariation);
      if (t.elasticity === null) expect(e.elasticity).toBeNull();
      else expect(e.elasticity).toBeCloseTo(t.elasticity, 3);
    });
    expect(fromPanel.some((e) => e.enoughPriceVariation)).toBe(true);
  });

  it('store histories: size, region, type and the revenue of the sales file', () => {
    const stores = panelStoreHistories(table);
    expect(stores.map((s) => s.storeId)).toEqual(['S01', 'S02', 'S03']);
    for (const s of stores) {
      const truth = retailer.truth.stores.find((x) => x.store_id === s.storeId);
      expect(s).toMatchObject({ region: truth?.region, type: truth?.type, sizeSqm: truth?.size_sqm });
      // Revenue as ingested: accepted sales rows (no negative or duplicate rows).
      const sold = s.revenue.reduce((a, v) => a + v, 0);
      const seen = new Set<string>();
      let expected = 0;
      for (const [store, product, date, units, revenue] of retailer.tables.sales.rows) {
        const key = `${store}/${product}/${date}`;
        if (store !== s.storeId || Number(units) < 0 || seen.has(key)) continue;
        if (!retailer.truth.products.some((p) => p.product_id === product)) continue;
        seen.add(key);
        expected += Number(revenue);
      }
      expect(sold).toBeCloseTo(expected, 2);
    }
  });

  it('a fitted panel seen as columns gives the same prices and costs, and no stock', () => {
    const fromPanel = panelSeriesStates(panelColumnsOf(panel));
    for (const [id, s] of panelSeriesStates(table)) {
      const p = fromPanel.get(id);
      expect(p).toMatchObject({
        unitCost: s.unitCost,
        shelfPrice: s.shelfPrice,
        lastDay: s.lastDay,
        onHand: null,
      });
    }
  });
});

describe('selection and resolution', () => {
  const ids = ['S01/P001', 'S01/P002', 'S02/P001'];

  it('selects by store and product, and names what it does not know', () => {
    expect(selectSeries(ids, { products: ['P001'] })).toEqual(['S01/P001', 'S02/P001']);
    expect(selectSeries(ids, { stores: ['S02'] })).toEqual(['S02/P001']);
    expect(() => selectSeries(ids, { products: ['P009'] })).toThrow(/Unknown product 'P009'/);
    const e = (() => {
      try {
        selectSeries(ids, { stores: ['S02'], products: ['P002'] });
      } catch (err) {
        return err as SalescastError;
      }
    })();
    expect(e?.code).toBe('NOT_FOUND');
  });

  it('takes the request first, the panel second, and names a missing fact', () => {
    const states = panelSeriesStates(table);
    const [r] = resolveSeriesInputs(['S01/P001'], states, {
      series: [{ storeId: 'S01', productId: 'P001', onHand: 7, inbound: [{ units: 3, arrivalPeriod: 2 }] }],
      products: [{ productId: 'P001', unitCost: 0.5 }],
    });
    const s = states.get('S01/P001');
    expect(r).toMatchObject({ onHand: 7, unitCost: 0.5, price: s?.paidPrice, shelfPrice: s?.basePrice });
    expect(r.stockSource).toBe('request');
    const noStock = panelSeriesStates(panelColumnsOf(panel));
    expect(() => resolveSeriesInputs(['S01/P001'], noStock)).toThrow(/No onHand for S01\/P001/);
    expect(resolveSeriesInputs(['S01/P001'], noStock, {}, { stock: false })[0].onHand).toBe(0);
    expect(() =>
      resolveSeriesInputs(['S01/P001'], states, {
        series: [{ storeId: 'S01', productId: 'P001', onHand: -1 }],
      }),
    ).toThrow(SalescastError);
  });

  it('the summary says "none" for what has nothing to report', () => {
    const s = summaryDecision([], [], [], null);
    expect(s.actions).toEqual([]);
    expect(s.headlines).toEqual([
      'No reorder is due across 0 series.',
      'No revenue is at risk from stockouts over the next 0 periods.',
      'No discount pays for itself at the current margins.',
      'No anomalies are known: no anomaly source was given.',
    ]);
  });
});
