import { beforeAll, describe, expect, test } from 'vitest';
import type { SalescastError } from '../core/errors.js';
import { OVERDISPERSION_SHAPE } from '../data/demo/demand-model.js';
import { type DemoRetailer, generateDemoRetailer } from '../data/demo/generate.js';
import { simulateReplenishment } from './policy-simulation.js';

describe('reorder policy on demand drawn from the demo truth', () => {
  // Fast movers only: with a mean of a few units over the risk period, whole units overshoot any
  // target (the level buys P(D ≤ S) ≥ α, e.g. 0.98 for α = 0.95); the policy reports that as
  // expectedCycleServiceLevel.
  let series: DemoRetailer['truth']['demand'];
  let retailer: DemoRetailer;
  beforeAll(() => {
    retailer = generateDemoRetailer({ stores: 3, products: 8, seed: 42 });
    const slow = new Set(retailer.truth.products.filter((p) => p.is_slow_mover).map((p) => p.product_id));
    series = retailer.truth.demand.filter((d) => !slow.has(d.product_id));
  });

  function pooled(
    policy: (
      series: DemoRetailer['truth']['demand'][number],
    ) => Parameters<typeof simulateReplenishment>[0]['policy'],
  ) {
    let cycles = 0;
    let good = 0;
    series.forEach((s, i) => {
      const result = simulateReplenishment({
        expected: s.expected,
        shape: OVERDISPERSION_SHAPE,
        leadTime: s.lead_time_days,
        reviewPeriod: s.review_period_days,
        policy: policy(s),
        replications: 2,
        seed: 100 + i,
      });
      cycles += result.cycles;
      good += result.cycleServiceLevel * result.cycles;
    });
    return { cycles, serviceLevel: good / cycles };
  }

  test('a 95% cycle service level is achieved within ±2 points', () => {
    const { cycles, serviceLevel } = pooled(() => ({ serviceLevel: 0.95 }));
    // ~8700 cycles: the sampling error of the share is about 0.25 points.
    expect(cycles).toBeGreaterThan(8000);
    expect(Math.abs(serviceLevel - 0.95)).toBeLessThanOrEqual(0.02);
  });

  test('a newsvendor fractile of 90% (holding cost per review period = margin / 9) is achieved within ±2 points', () => {
    const products = new Map(retailer.truth.products.map((p) => [p.product_id, p]));
    const { serviceLevel } = pooled((s) => {
      const p = products.get(s.product_id);
      if (p === undefined) throw new Error(s.product_id);
      const holdingCost = (p.base_price - p.unit_cost) / 9 / s.review_period_days;
      return { price: p.base_price, unitCost: p.unit_cost, holdingCost };
    });
    expect(Math.abs(serviceLevel - 0.9)).toBeLessThanOrEqual(0.02);
  });
});

describe('simulateReplenishment', () => {
  test('zero demand: nothing lost, nothing stocked', () => {
    const r = simulateReplenishment({
      expected: new Float64Array(60),
      shape: 6,
      leadTime: 2,
      reviewPeriod: 3,
      seed: 1,
    });
    expect(r.cycleServiceLevel).toBe(1);
    expect(r.fillRate).toBe(1);
    expect(r.averageStock).toBe(0);
    expect(r.cycles).toBe(18);
  });

  test('seeded: the same seed gives the same result, another seed another path', () => {
    const input = {
      expected: new Float64Array(300).fill(8),
      shape: 6,
      leadTime: 2,
      reviewPeriod: 3,
      seed: 5,
    };
    const a = simulateReplenishment(input);
    expect(simulateReplenishment(input)).toEqual(a);
    expect(simulateReplenishment({ ...input, seed: 6 }).averageStock).not.toBe(a.averageStock);
    // The promise is P(D ≤ S) of the true distribution: at least the 95% default.
    expect(a.promisedCycleServiceLevel).toBeGreaterThanOrEqual(0.95);
    // Stock starts at 0, so the first lead time is lost (16 of ~2400 units) on top of cycle shortfalls.
    expect(a.fillRate).toBeGreaterThan(0.97);
    expect(a.fillRate).toBeLessThan(1);
  });

  test('bad inputs name the field', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as SalescastError).location.field;
      }
    };
    const base = { expected: [1, 2, 3], shape: 6, leadTime: 1, reviewPeriod: 1, seed: 1 };
    expect(field(() => simulateReplenishment({ ...base, reviewPeriod: 0 }))).toBe('reviewPeriod');
    expect(field(() => simulateReplenishment({ ...base, expected: [1, -2] }))).toBe('expected[1]');
    expect(field(() => simulateReplenishment({ ...base, shape: 0 }))).toBe('shape');
  });
});
