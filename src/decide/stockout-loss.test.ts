import { describe, expect, test } from 'vitest';
import type { SalescastError } from '../core/errors.js';
import { normalDemand, poissonDemand } from './demand-distribution.js';
import { stockoutLoss } from './stockout-loss.js';

describe('stockoutLoss', () => {
  test('Poisson: E[(D − S)⁺] and P(D > S) of the horizon total', () => {
    // Two periods of Poisson(5) = Poisson(10); 10 on hand: E[(D − 10)⁺] = 1.2511, P(D > 10) = 0.41696.
    const loss = stockoutLoss({
      forecast: [poissonDemand(5), poissonDemand(5)],
      onHand: 10,
      price: 3,
      unitCost: 2,
    });
    expect(loss.method).toBe('distribution');
    expect(loss.expectedLostUnits).toBeCloseTo(1.2511004, 6);
    expect(loss.expectedLostRevenue).toBeCloseTo(3 * 1.2511004, 6);
    expect(loss.expectedLostMargin).toBeCloseTo(1.2511004, 6);
    expect(loss.stockoutProbability).toBeCloseTo(0.4169602, 6);
    expect(loss.expectedDemand).toBe(10);
  });

  test('normal: σ L(z)', () => {
    const loss = stockoutLoss({ forecast: [normalDemand(100, 20)], onHand: 100, price: 2 });
    expect(loss.expectedLostUnits).toBeCloseTo(7.978846, 5);
    expect(loss.expectedLostRevenue).toBeCloseTo(15.957691, 5);
    expect(loss.stockoutProbability).toBeCloseTo(0.5, 6);
  });

  test('late inbound stock: walks the periods (lost sales, no backorders)', () => {
    // Demand exactly 10 a period; 5 on hand; 30 arrive at period 2: 5 + 10 units are lost.
    const forecast = [normalDemand(10, 0), normalDemand(10, 0), normalDemand(10, 0)];
    const loss = stockoutLoss({ forecast, onHand: 5, inbound: [{ units: 30, arrivalPeriod: 2 }], price: 4 });
    expect(loss.method).toBe('simulation');
    expect(loss.expectedLostUnits).toBe(15);
    expect(loss.expectedLostRevenue).toBe(60);
    expect(loss.stockoutProbability).toBe(1);
    expect(loss.availableUnits).toBe(35);
  });

  test('stock arriving later loses more than the same stock on hand', () => {
    const forecast = Array.from({ length: 6 }, () => poissonDemand(4));
    const now = stockoutLoss({ forecast, onHand: 24, price: 1 });
    const later = stockoutLoss({
      forecast,
      onHand: 8,
      inbound: [{ units: 16, arrivalPeriod: 3 }],
      price: 1,
      sum: { seed: 2, samples: 20_000 },
    });
    expect(later.expectedLostUnits).toBeGreaterThan(now.expectedLostUnits + 0.5);
    expect(later.stockoutProbability).toBeGreaterThan(now.stockoutProbability);
  });

  test('no stock loses all demand; no demand loses nothing', () => {
    const none = stockoutLoss({ forecast: [poissonDemand(3), poissonDemand(4)], onHand: 0, price: 2 });
    expect(none.expectedLostUnits).toBeCloseTo(7, 9);
    expect(none.stockoutProbability).toBeCloseTo(1 - Math.exp(-7), 9);
    const zero = stockoutLoss({ forecast: [poissonDemand(0)], onHand: 0, price: 2 });
    expect(zero.expectedLostUnits).toBe(0);
    expect(zero.stockoutProbability).toBe(0);
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
    const forecast = [poissonDemand(3)];
    expect(field(() => stockoutLoss({ forecast, onHand: 1, price: -2 }))).toBe('price');
    expect(field(() => stockoutLoss({ forecast, onHand: -1, price: 2 }))).toBe('onHand');
    expect(field(() => stockoutLoss({ forecast, onHand: 1, price: 2, horizon: 3 }))).toBe('forecast');
  });
});
