import { describe, expect, test } from 'vitest';
import type { SalescastError } from '../core/errors.js';
import { normalDemand, poissonDemand, quantileDemand } from './demand-distribution.js';
import { planReplenishment } from './inventory-policy.js';
import { normalQuantile } from './normal.js';

const days = (n: number, make: () => ReturnType<typeof poissonDemand>) => Array.from({ length: n }, make);

function invalidField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
    return (e as SalescastError).location.field;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('planReplenishment', () => {
  test('normal demand: safety stock z·σ over lead time + review period', () => {
    // Risk period 3 × N(20, 5²): mean 60, sd 8.660; z(0.95) = 1.6449 → 74.24, rounded up to 75.
    const plan = planReplenishment({
      forecast: days(7, () => normalDemand(20, 5)),
      onHand: 50,
      leadTime: 2,
      reviewPeriod: 1,
      serviceLevel: 0.95,
    });
    expect(plan.riskPeriods).toBe(3);
    expect(plan.riskDemandMean).toBeCloseTo(60, 12);
    expect(plan.riskDemandSd).toBeCloseTo(5 * Math.sqrt(3), 12);
    expect(plan.reorderPoint).toBe(75);
    expect(plan.safetyStock).toBeCloseTo(15, 12);
    expect(plan.orderUpTo).toBe(75);
    expect(plan.reorderDue).toBe(true);
    expect(plan.orderQuantity).toBe(25);
    expect(plan.criticalFractile).toBeNull();
    // 50 units at 20 a period last 2.5 periods (lead time 2): not critical, but stock ends
    // period 1 at 10 < safety stock 15 before the order arrives → high.
    expect(plan.periodsUntilStockout).toBeCloseTo(2.5, 12);
    expect(plan.urgency).toBe('high');
  });

  test('Poisson demand: reorder point is the Poisson quantile (Poisson(12) q0.95 = 18)', () => {
    const plan = planReplenishment({ forecast: days(10, () => poissonDemand(3)), onHand: 16, leadTime: 3 });
    expect(plan.serviceLevel).toBe(0.95);
    expect(plan.reorderPoint).toBe(18);
    expect(plan.safetyStock).toBe(6);
    expect(plan.expectedCycleServiceLevel).toBeGreaterThanOrEqual(0.95);
    expect(plan.expectedCycleServiceLevel).toBeCloseTo(0.9626, 4);
    // Position 16 ≤ 18: due; expected stock stays ≥ 7 > safety stock 6 until the order arrives.
    expect(plan.orderQuantity).toBe(2);
    expect(plan.urgency).toBe('normal');
  });

  test('critical fractile sets the order-up-to level and the default service level', () => {
    // f = (10 − 6) / (10 − 6 + 0.05) = 0.98765; Poisson(12) reaches it at 20.
    const plan = planReplenishment({
      forecast: days(10, () => poissonDemand(3)),
      onHand: 4,
      leadTime: 3,
      price: 10,
      unitCost: 6,
      holdingCost: 0.05,
    });
    expect(plan.criticalFractile).toBeCloseTo(4 / 4.05, 12);
    expect(plan.serviceLevel).toBeCloseTo(4 / 4.05, 12);
    expect(plan.orderUpTo).toBe(20);
    expect(plan.orderQuantity).toBe(16);
  });

  test('a fractile below the service level keeps the service level as a floor', () => {
    const plan = planReplenishment({
      forecast: days(10, () => poissonDemand(3)),
      onHand: 4,
      leadTime: 3,
      serviceLevel: 0.95,
      price: 10,
      unitCost: 6,
      holdingCost: 2, // f = 4/6
    });
    expect(plan.criticalFractile).toBeCloseTo(2 / 3, 12);
    expect(plan.orderUpTo).toBe(18);
  });

  test('EOQ raises the order to √(2DK/h) when that is larger', () => {
    const plan = planReplenishment({
      forecast: days(10, () => poissonDemand(3)),
      onHand: 10,
      leadTime: 3,
      serviceLevel: 0.95,
      holdingCost: 0.05,
      orderCost: 20,
    });
    expect(plan.economicOrderQuantity).toBeCloseTo(Math.sqrt(2400), 9);
    expect(plan.orderQuantity).toBe(49);
  });

  test('inbound orders count in the inventory position', () => {
    const plan = planReplenishment({
      forecast: days(10, () => poissonDemand(3)),
      onHand: 10,
      inbound: [{ units: 20, arrivalPeriod: 1 }],
      leadTime: 3,
    });
    expect(plan.inventoryPosition).toBe(30);
    expect(plan.reorderDue).toBe(false);
    expect(plan.orderQuantity).toBe(0);
    expect(plan.urgency).toBe('none');
  });

  test('stockout before any new delivery can arrive is critical', () => {
    const plan = planReplenishment({ forecast: days(10, () => poissonDemand(3)), onHand: 2, leadTime: 3 });
    expect(plan.periodsUntilStockout).toBeCloseTo(2 / 3, 12);
    expect(plan.urgency).toBe('critical');
    expect(plan.orderQuantity).toBe(16);
  });

  test('zero demand and no stock: nothing to order', () => {
    const plan = planReplenishment({ forecast: days(5, () => poissonDemand(0)), onHand: 0, leadTime: 2 });
    expect(plan.reorderPoint).toBe(0);
    expect(plan.orderQuantity).toBe(0);
    expect(plan.periodsUntilStockout).toBeNull();
    expect(plan.urgency).toBe('none');
  });

  test('quantile forecasts (a dense grid of N(20, 5²) quantiles) give the normal answer via seeded Monte Carlo', () => {
    const levels = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));
    const period = () =>
      quantileDemand(
        levels,
        levels.map((p) => 20 + 5 * normalQuantile(p)),
      );
    const input = {
      forecast: days(7, period),
      onHand: 50,
      leadTime: 2,
      serviceLevel: 0.95,
      sum: { seed: 4 },
    };
    const plan = planReplenishment(input);
    // Exact normal answer: ⌈74.24⌉ = 75; the linear tails of the grid are slightly thinner.
    expect(Math.abs(plan.reorderPoint - 75)).toBeLessThanOrEqual(2);
    expect(plan.riskDemandMean).toBeCloseTo(60, 0);
    expect(planReplenishment(input)).toEqual(plan);
  });

  test('continuous review: the risk period is the lead time', () => {
    const plan = planReplenishment({
      forecast: days(5, () => poissonDemand(4)),
      onHand: 100,
      leadTime: 3,
      reviewPeriod: 0,
    });
    expect(plan.riskPeriods).toBe(3);
    expect(plan.reorderPoint).toBe(18); // Poisson(12)
  });

  test('bad inputs are rejected naming the field', () => {
    const forecast = days(5, () => poissonDemand(3));
    expect(invalidField(() => planReplenishment({ forecast, onHand: -1, leadTime: 1 }))).toBe('onHand');
    expect(invalidField(() => planReplenishment({ forecast, onHand: 1, leadTime: 1.5 }))).toBe('leadTime');
    expect(invalidField(() => planReplenishment({ forecast, onHand: 1, leadTime: 9 }))).toBe('forecast');
    expect(invalidField(() => planReplenishment({ forecast, onHand: 1, leadTime: 1, serviceLevel: 1 }))).toBe(
      'serviceLevel',
    );
    expect(
      invalidField(() => planReplenishment({ forecast, onHand: 1, leadTime: 1, price: 5, unitCost: 3 })),
    ).toBe('holdingCost');
    expect(
      invalidField(() =>
        planReplenishment({ forecast, onHand: 1, leadTime: 1, inbound: [{ units: -3, arrivalPeriod: 0 }] }),
      ),
    ).toBe('inbound[0].units');
  });
});
