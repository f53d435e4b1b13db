import { describe, expect, test } from 'vitest';
import { parseIsoDay } from '../core/dates.js';
import type { SalescastError } from '../core/errors.js';
import { DEFAULT_EXPANSION_ASSUMPTIONS, rankExpansion, type StoreHistory } from './store-expansion.js';

const FIRST = parseIsoDay('2024-01-01') as number;

function store(
  storeId: string,
  region: string,
  type: string,
  sizeSqm: number,
  revenueAt: (t: number) => number,
  days = 364,
): StoreHistory {
  return {
    storeId,
    region,
    type,
    sizeSqm,
    day: Int32Array.from({ length: days }, (_, t) => FIRST + t),
    revenue: Float64Array.from({ length: days }, (_, t) => revenueAt(t)),
  };
}

const stores = [
  store('A', 'North', 'supermarket', 2000, () => 20_000),
  store('B', 'North', 'supermarket', 1000, () => 5_000),
  store('C', 'South', 'express', 400, (t) => 2_000 * 1.1 ** (t / 364)),
];

describe('rankExpansion', () => {
  const result = rankExpansion(stores);

  test('hand-computed ROI of a saturated store', () => {
    const a = result.stores.find((s) => s.storeId === 'A');
    // Density 20 000 × 365 / 2000 = 3650 per m²; the supermarket benchmark (q0.9 of 1825 and 3650)
    // is 3467.5, so saturation is capped at 1. Added 200 m² → year-1 revenue 200 × 3650 × 0.6 =
    // 438 000; yearly cash 438 000 × 0.3 − 200 × 150 = 101 400; PV over 5 years at 8% =
    // 101 400 × 3.992710 = 404 860.80; investment 240 000; NPV 164 860.80; ROI 0.686920.
    expect(a?.annualRevenue).toBeCloseTo(7_300_000, 6);
    expect(a?.salesPerSqm).toBeCloseTo(3650, 9);
    expect(a?.growth).toBeCloseTo(0, 12);
    expect(a?.saturation).toBe(1);
    expect(a?.incrementalRevenueYear1).toBeCloseTo(438_000, 6);
    expect(a?.investment).toBe(240_000);
    expect(a?.netPresentValue).toBeCloseTo(164_860.8, 0);
    expect(a?.roi).toBeCloseTo(0.68692, 4);
  });

  test('saturation compares a store with the best of its own type', () => {
    const b = result.stores.find((s) => s.storeId === 'B');
    expect(b?.saturation).toBeCloseTo(1825 / 3467.5, 9);
    expect(b?.benchmarkPeers).toBe(2);
    const c = result.stores.find((s) => s.storeId === 'C');
    expect(c?.saturation).toBe(1);
    expect(c?.benchmarkPeers).toBe(1);
  });

  test('growth is the annualised log-linear trend of weekly revenue', () => {
    const c = result.stores.find((s) => s.storeId === 'C');
    expect(c?.growth).toBeCloseTo(0.1, 2);
  });

  test('stores and regions are ranked by ROI, and the assumptions are repeated', () => {
    expect(result.stores.map((s) => s.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < result.stores.length; i++)
      expect(result.stores[i - 1].roi).toBeGreaterThanOrEqual(result.stores[i].roi);
    expect(result.stores.at(-1)?.storeId).toBe('B');
    const north = result.regions.find((r) => r.region === 'North');
    const members = result.stores.filter((s) => s.region === 'North');
    expect(north?.stores).toBe(2);
    expect(north?.roi).toBeCloseTo(
      members.reduce((s, r) => s + r.netPresentValue, 0) / members.reduce((s, r) => s + r.investment, 0),
      12,
    );
    expect(result.regions[0].roi).toBeGreaterThanOrEqual(result.regions[1].roi);
    expect(result.assumptions).toEqual(DEFAULT_EXPANSION_ASSUMPTIONS);
  });

  test('overridden assumptions change the answer and are echoed', () => {
    const cheap = rankExpansion(stores, { fitOutCostPerSqm: 600 });
    expect(cheap.assumptions.fitOutCostPerSqm).toBe(600);
    const a = cheap.stores.find((s) => s.storeId === 'A');
    expect(a?.investment).toBe(120_000);
    expect(a?.roi).toBeCloseTo((404_860.8 - 120_000) / 120_000, 4);
  });

  test('bad inputs name the field', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
        return (e as SalescastError).location.field;
      }
    };
    expect(field(() => rankExpansion(stores, { captureRate: 1.5 }))).toBe('assumptions.captureRate');
    expect(field(() => rankExpansion(stores, { horizonYears: 0 }))).toBe('assumptions.horizonYears');
    expect(field(() => rankExpansion([store('X', 'R', 't', 0, () => 1)]))).toBe('stores[0].sizeSqm');
    expect(field(() => rankExpansion([store('X', 'R', 't', 10, () => -1)]))).toBe('stores[0].revenue[0]');
    expect(field(() => rankExpansion([store('X', 'R', 't', 10, () => 1, 5)]))).toBe('stores[0].revenue');
    expect(field(() => rankExpansion([]))).toBe('stores');
  });
});
