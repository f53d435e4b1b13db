import { describe, expect, test } from 'vitest';
import type { SalescastError } from '../core/errors.js';
import { projectStock } from './stock-projection.js';

describe('projectStock', () => {
  test('10 units against 4 a period run out half-way through period 2', () => {
    const p = projectStock([4, 4, 4, 4], 10);
    expect(p.periodsUntilStockout).toBeCloseTo(2.5, 12);
    expect(Array.from(p.endStock)).toEqual([6, 2, 0, 0]);
  });
  test('an inbound order arriving in time prevents the stockout', () => {
    const p = projectStock([4, 4, 4, 4], 10, [{ units: 8, arrivalPeriod: 2 }]);
    expect(p.periodsUntilStockout).toBeNull();
    expect(Array.from(p.endStock)).toEqual([6, 2, 6, 2]);
  });
  test('an inbound order arriving late does not', () => {
    const p = projectStock([4, 4, 4, 4], 10, [{ units: 8, arrivalPeriod: 3 }]);
    expect(p.periodsUntilStockout).toBeCloseTo(2.5, 12);
    expect(Array.from(p.endStock)).toEqual([6, 2, 0, 4]);
  });
  test('no stock: stockout at once; zero demand: never', () => {
    expect(projectStock([3, 3], 0).periodsUntilStockout).toBe(0);
    expect(projectStock([0, 0], 0).periodsUntilStockout).toBeNull();
  });
  test('bad inputs name the field', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as SalescastError).location.field;
      }
    };
    expect(field(() => projectStock([1], -1))).toBe('onHand');
    expect(field(() => projectStock([1], 1, [{ units: -2, arrivalPeriod: 0 }]))).toBe('inbound[0].units');
    expect(field(() => projectStock([1], 1, [{ units: 2, arrivalPeriod: 1.5 }]))).toBe(
      'inbound[0].arrivalPeriod',
    );
  });
});
