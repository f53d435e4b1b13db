import { describe, expect, test } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { criticalFractile, economicOrderQuantity } from './newsvendor.js';

describe('criticalFractile', () => {
  test('carry-over stock: (p − c) / (p − c + h)', () => {
    expect(criticalFractile({ price: 10, unitCost: 6, holdingCost: 0.5 })).toBeCloseTo(4 / 4.5, 12);
  });
  test('perishable stock: overage adds the unit cost net of salvage', () => {
    expect(criticalFractile({ price: 10, unitCost: 6, holdingCost: 0.5, perishable: true })).toBeCloseTo(
      4 / 10.5,
      12,
    );
    expect(
      criticalFractile({ price: 10, unitCost: 6, holdingCost: 0.5, perishable: true, salvageValue: 2 }),
    ).toBeCloseTo(4 / 8.5, 12);
  });
  test('no margin or negative cost is rejected naming the field', () => {
    expect(() => criticalFractile({ price: 5, unitCost: 6, holdingCost: 1 })).toThrow(/margin/);
    try {
      criticalFractile({ price: 10, unitCost: -1, holdingCost: 1 });
      expect.unreachable();
    } catch (e) {
      expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
      expect((e as SalescastError).location.field).toBe('unitCost');
    }
  });
});

describe('economicOrderQuantity', () => {
  test('√(2DK/h)', () => {
    expect(economicOrderQuantity(100, 50, 0.25)).toBeCloseTo(200, 12);
    expect(economicOrderQuantity(3, 20, 0.05)).toBeCloseTo(Math.sqrt(2400), 12);
    expect(economicOrderQuantity(0, 20, 0.05)).toBe(0);
  });
  test('holding cost must be positive', () => {
    expect(() => economicOrderQuantity(10, 5, 0)).toThrow(SalescastError);
  });
});
