import { describe, expect, test } from 'vitest';
import type { SalescastError } from '../core/errors.js';
import { discountGrid, optimizeDiscount } from './discount-optimizer.js';

describe('optimizeDiscount', () => {
  test('elastic demand: profit peaks at 10% (continuous optimum p* = c ε/(1+ε) = 9 = 10 × 0.9)', () => {
    // profit(d) = 100 (1 − d)^−3 (10 (1 − d) − 6): 400 at 0%, 408.22 at 5%, 411.52 at 10%, 407.07 at 15%.
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 6,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -3 },
    });
    expect(r.curve.map((p) => p.discountPct)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    expect(r.baseline.profit).toBeCloseTo(400, 9);
    expect(r.curve[1].profit).toBeCloseTo(408.223, 3);
    expect(r.curve[3].profit).toBeCloseTo(407.083, 3);
    expect(r.optimum.discountPct).toBe(10);
    expect(r.optimum.profit).toBeCloseTo(411.523, 3);
    expect(r.optimum.units).toBeCloseTo(100 / 0.9 ** 3, 9);
    expect(r.deltaProfit).toBeCloseTo(11.523, 3);
    expect(r.deltaUnits).toBeCloseTo(100 / 0.729 - 100, 9);
    expect(r.deltaRevenue).toBeCloseTo((100 / 0.729) * 9 - 1000, 9);
    expect(r.optimumRangePct).toEqual([10, 10]);
  });

  test('inelastic demand: no discount', () => {
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 6,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -0.8 },
    });
    expect(r.optimum.discountPct).toBe(0);
    expect(r.deltaProfit).toBe(0);
  });

  test('revenue objective with |ε| > 1 takes the deepest discount', () => {
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 6,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -3 },
      objective: 'revenue',
    });
    expect(r.optimum.discountPct).toBe(50);
    expect(r.optimum.revenue).toBeCloseTo(100 * 0.5 ** -3 * 5, 9);
  });

  test('standard error gives a band around every point and a range of optima', () => {
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 3,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -2, standardError: 0.2 },
    });
    for (const p of r.curve) {
      expect(p.unitsLow).toBeLessThanOrEqual(p.units + 1e-9);
      expect(p.unitsHigh).toBeGreaterThanOrEqual(p.units - 1e-9);
      expect(p.profitLow).toBeLessThanOrEqual(p.profit + 1e-9);
      expect(p.profitHigh).toBeGreaterThanOrEqual(p.profit - 1e-9);
    }
    // ε = −2, c = 3 → p* = 6 → 40%; ε = −2.392 → p* = 5.16 → 48%; ε = −1.608 → p* = 7.93 → 21%.
    expect(r.optimum.discountPct).toBe(40);
    expect(r.optimumRangePct[0]).toBe(20);
    expect(r.optimumRangePct[1]).toBe(50);
    expect(r.deltaProfitLow).toBeLessThan(r.deltaProfit);
    expect(r.deltaProfitHigh).toBeGreaterThan(r.deltaProfit);
  });

  test('a what-if curve from the model replaces the elasticity', () => {
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 5,
      baseUnits: 0,
      response: { kind: 'what-if', units: (d) => 100 + 8 * d },
      grid: { min: 0, max: 30, step: 10 },
    });
    // profit: 0% → 500, 10% → 720, 20% → 780, 30% → 680.
    expect(r.curve.map((p) => Math.round(p.profit))).toEqual([500, 720, 780, 680]);
    expect(r.optimum.discountPct).toBe(20);
  });

  test('the baseline is no discount even when 0 is not on the grid', () => {
    const r = optimizeDiscount({
      shelfPrice: 10,
      unitCost: 6,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -3 },
      grid: { min: 10, max: 20, step: 5 },
    });
    expect(r.baseline.discountPct).toBe(0);
    expect(r.deltaProfit).toBeCloseTo(11.523, 3);
  });

  test('grid and inputs are validated naming the field', () => {
    expect(discountGrid({ min: 0, max: 1, step: 0.25 })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
        return (e as SalescastError).location.field;
      }
    };
    const base = {
      shelfPrice: 10,
      unitCost: 6,
      baseUnits: 100,
      response: { kind: 'elasticity', elasticity: -2 },
    } as const;
    expect(field(() => optimizeDiscount({ ...base, shelfPrice: 0 }))).toBe('shelfPrice');
    expect(field(() => optimizeDiscount({ ...base, unitCost: -1 }))).toBe('unitCost');
    expect(field(() => optimizeDiscount({ ...base, grid: { min: 0, max: 120, step: 5 } }))).toBe('grid.max');
    expect(field(() => optimizeDiscount({ ...base, grid: { min: 0, max: 50, step: 0 } }))).toBe('grid.step');
    // A step that would make millions of points is refused before any is built.
    expect(field(() => optimizeDiscount({ ...base, grid: { min: 0, max: 50, step: 1e-9 } }))).toBe(
      'grid.step',
    );
    expect(() => discountGrid({ min: 0, max: 50, step: 0.04 })).toThrow(
      "'grid.step' must be at least 0.05 (at most 1001 discounts from 0 to 50); got 0.04 instead.",
    );
    expect(discountGrid({ min: 0, max: 50, step: 0.05 })).toHaveLength(1001);
    expect(
      field(() =>
        optimizeDiscount({ ...base, response: { kind: 'elasticity', elasticity: -2, standardError: -1 } }),
      ),
    ).toBe('response.standardError');
    expect(field(() => optimizeDiscount({ ...base, response: { kind: 'what-if', units: () => -5 } }))).toBe(
      'response.units(0)',
    );
  });
});
