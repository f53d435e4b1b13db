/**
 * The worked example of docs/DECISIONS.md, recomputed from the default demo retailer (5 stores ×
 * 12 products × 730 days, seed 42). If a number here changes, the document must change with it.
 * The forecast handed to the decisions is the demo truth's λ with its negative binomial noise
 * (shape 6), standing in for the forecasting model until the two are wired together.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { formatDay, parseIsoDay } from '../core/dates.js';
import { type DemoRetailer, generateDemoRetailer } from '../data/demo/generate.js';
import { type ElasticityEstimate, estimateElasticities } from '../forecast/elasticity.js';
import { type DemandDistribution, negativeBinomialDemand } from './demand-distribution.js';
import { optimizeDiscount } from './discount-optimizer.js';
import { planReplenishment } from './inventory-policy.js';
import { stockoutLoss } from './stockout-loss.js';
import { rankExpansion, type StoreHistory } from './store-expansion.js';
import { demoSalesHistory } from './testing/demo-history.js';

/** Forecast origin: day 700 of the window, 2024-12-02. */
const ORIGIN = 700;

let retailer: DemoRetailer;
let estimates: ElasticityEstimate[];
let first: number;

beforeAll(() => {
  retailer = generateDemoRetailer();
  estimates = estimateElasticities(demoSalesHistory(retailer));
  first = parseIsoDay(retailer.truth.window.first_period) as number;
});

function series(storeId: string, productId: string) {
  const s = retailer.truth.demand.find((d) => d.store_id === storeId && d.product_id === productId);
  if (s === undefined) throw new Error(`${storeId}/${productId}`);
  return s;
}

function forecast(storeId: string, productId: string): DemandDistribution[] {
  return series(storeId, productId)
    .expected.slice(ORIGIN, ORIGIN + 14)
    .map((m) => negativeBinomialDemand(m, 6));
}

/** End-of-day stock on the day before the origin, from the inventory table. */
function onHand(storeId: string, productId: string): number {
  const row = retailer.tables.inventory.rows.find(
    (r) => r[0] === storeId && r[1] === productId && parseIsoDay(String(r[2])) === first + ORIGIN - 1,
  );
  return Number(row?.[3]);
}

function product(productId: string) {
  const p = retailer.truth.products.find((x) => x.product_id === productId);
  if (p === undefined) throw new Error(productId);
  return p;
}

describe('worked example (docs/DECISIONS.md)', () => {
  test('inventory: Sunscreen SPF30 (P008) at S01', () => {
    expect(formatDay(first + ORIGIN)).toBe('2024-12-02');
    const p = product('P008');
    const s = series('S01', 'P008');
    const plan = planReplenishment({
      forecast: forecast('S01', 'P008'),
      onHand: onHand('S01', 'P008'),
      leadTime: s.lead_time_days,
      reviewPeriod: s.review_period_days,
      serviceLevel: 0.95,
      price: p.base_price,
      unitCost: p.unit_cost,
      holdingCost: (0.25 / 365) * p.unit_cost,
      orderCost: 5,
    });
    expect(plan.inventoryPosition).toBe(153);
    expect(plan.riskPeriods).toBe(6);
    expect(plan.riskDemandMean).toBeCloseTo(115.353, 3);
    expect(plan.riskDemandSd).toBeCloseTo(22.346, 3);
    expect(plan.reorderPoint).toBe(154);
    expect(plan.safetyStock).toBeCloseTo(38.647, 3);
    expect(plan.criticalFractile).toBeCloseTo(0.99263, 5);
    expect(plan.orderUpTo).toBe(176);
    expect(plan.economicOrderQuantity).toBeCloseTo(179.756, 3);
    expect(plan.orderQuantity).toBe(180);
    expect(plan.periodsUntilStockout).toBeCloseTo(8.155, 3);
    expect(plan.urgency).toBe('normal');

    const loss = stockoutLoss({
      forecast: forecast('S01', 'P008'),
      onHand: onHand('S01', 'P008'),
      price: p.base_price,
      unitCost: p.unit_cost,
      horizon: 7,
    });
    expect(loss.expectedDemand).toBeCloseTo(137.42, 2);
    expect(loss.expectedLostUnits).toBeCloseTo(4.158, 3);
    expect(loss.expectedLostRevenue).toBeCloseTo(50.27, 2);
    expect(loss.stockoutProbability).toBeCloseTo(0.2463, 4);
  });

  test('pricing: Toothpaste 75ml (P010) at its own margin and at a 60% margin', () => {
    const e = estimates.find((x) => x.productId === 'P010') as ElasticityEstimate;
    expect(e.elasticity).toBeCloseTo(-2.78, 2);
    expect(e.standardError).toBeCloseTo(0.057, 3);
    const p = product('P010');
    let baseUnits = 0;
    for (const d of retailer.truth.demand) {
      if (d.product_id === 'P010') for (let t = ORIGIN; t < ORIGIN + 7; t++) baseUnits += d.expected[t];
    }
    expect(baseUnits).toBeCloseTo(675.71, 2);
    const response = {
      kind: 'elasticity',
      elasticity: e.elasticity as number,
      standardError: e.standardError as number,
    } as const;
    const own = optimizeDiscount({ shelfPrice: p.base_price, unitCost: p.unit_cost, baseUnits, response });
    expect(own.optimum.discountPct).toBe(0);
    const rich = optimizeDiscount({
      shelfPrice: p.base_price,
      unitCost: 0.4 * p.base_price,
      baseUnits,
      response,
    });
    expect(rich.optimum.discountPct).toBe(35);
    expect(rich.optimumRangePct).toEqual([35, 40]);
    expect(rich.deltaUnits).toBeCloseTo(1562.1, 1);
    expect(rich.deltaRevenue).toBeCloseTo(1705.73, 2);
    expect(rich.deltaProfit).toBeCloseTo(337.32, 2);
    expect(rich.deltaProfitLow).toBeCloseTo(280.23, 2);
    expect(rich.deltaProfitHigh).toBeCloseTo(397.2, 2);
  });

  test('expansion: the five demo stores', () => {
    const byStore = new Map<string, Map<number, number>>();
    for (const [storeId, , date, , revenue] of retailer.tables.sales.rows) {
      if (Number(revenue) < 0) continue;
      const day = parseIsoDay(String(date)) as number;
      const m = byStore.get(String(storeId)) ?? new Map<number, number>();
      m.set(day, (m.get(day) ?? 0) + Number(revenue));
      byStore.set(String(storeId), m);
    }
    const stores: StoreHistory[] = retailer.truth.stores.map((s) => {
      const days = [...(byStore.get(s.store_id) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
      return {
        storeId: s.store_id,
        region: s.region,
        type: s.type,
        sizeSqm: s.size_sqm,
        day: Int32Array.from(days, (d) => d[0]),
        revenue: Float64Array.from(days, (d) => d[1]),
      };
    });
    const defaults = rankExpansion(stores);
    expect(defaults.stores.map((s) => s.storeId)).toEqual(['S04', 'S05', 'S01', 'S03', 'S02']);
    expect(defaults.stores.every((s) => s.roi < 0)).toBe(true);
    // The demo's 12 products make ~150 per m² a year, so space has to cost in proportion.
    const scaled = rankExpansion(stores, { fitOutCostPerSqm: 60, operatingCostPerSqmYear: 5 });
    expect(scaled.stores.map((s) => s.storeId)).toEqual(['S04', 'S05', 'S01', 'S03', 'S02']);
    expect(scaled.stores[0].roi).toBeCloseTo(3.84, 2);
    expect(scaled.stores[4].roi).toBeCloseTo(-0.293, 3);
    expect(scaled.regions.map((r) => r.region)).toEqual(['North', 'South', 'Central']);
  });
});
