import { describe, expect, test } from 'vitest';
import { dayOfWeek, parseIsoDay } from '../core/dates.js';
import type { SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { estimateElasticities, type SalesHistory } from './elasticity.js';

/**
 * Two products × three stores × 400 days. P1 gets discount events (elasticity −2, weekly pattern,
 * a promotion lift and a store effect); P2 never changes price. Some P1 days are censored: their
 * units are cut in half, which would bias the estimate if they were used.
 */
function synthetic(): SalesHistory {
  const rng = createRng(9);
  const first = parseIsoDay('2024-01-01') as number;
  const rows: {
    j: number;
    s: number;
    d: number;
    units: number;
    price: number;
    promo: number;
    censored: number;
  }[] = [];
  for (let j = 0; j < 2; j++) {
    for (let s = 0; s < 3; s++) {
      for (let t = 0; t < 400; t++) {
        const d = first + t;
        const discount = j === 0 && t % 17 < 4 ? [0.1, 0.2, 0.3][t % 3] : 0;
        const promo = t % 50 < 5 ? 1 : 0;
        const mu =
          6 * (1 + 0.5 * s) * (dayOfWeek(d) >= 4 ? 1.3 : 0.9) * (1 - discount) ** -2 * (promo ? 1.5 : 1);
        let units = rng.poisson(mu);
        const censored = j === 0 && t % 23 === 0 ? 1 : 0;
        if (censored) units = Math.floor(units / 2);
        rows.push({ j, s, d, units, price: 2 * (1 - discount), promo, censored });
      }
    }
  }
  return {
    productIds: ['P1', 'P2'],
    referencePrice: new Float64Array([2, 2]),
    product: Int32Array.from(rows, (r) => r.j),
    store: Int32Array.from(rows, (r) => r.s),
    day: Int32Array.from(rows, (r) => r.d),
    units: Float64Array.from(rows, (r) => r.units),
    paidPrice: Float64Array.from(rows, (r) => r.price),
    promotion: Uint8Array.from(rows, (r) => r.promo),
    censored: Uint8Array.from(rows, (r) => r.censored),
  };
}

describe('estimateElasticities', () => {
  const history = synthetic();

  test('recovers the elasticity with controls; flags the product without price variation', () => {
    const [p1, p2] = estimateElasticities(history);
    expect(p1.productId).toBe('P1');
    expect(p1.enoughPriceVariation).toBe(true);
    expect(p1.distinctPrices).toBe(4);
    expect(Math.abs((p1.elasticity as number) + 2)).toBeLessThan(2.5 * (p1.standardError as number));
    expect(p1.standardError).toBeGreaterThan(0);
    expect(p1.standardError).toBeLessThan(0.15);
    // Censored rows are excluded.
    expect(p1.rows).toBe(1200 - 3 * Math.ceil(400 / 23));
    expect(p2.enoughPriceVariation).toBe(false);
    expect(p2.elasticity).toBeNull();
    expect(p2.distinctPrices).toBe(1);
  });

  test('the variation rule can be overridden', () => {
    const [p1] = estimateElasticities(history, { minUnitsOffRegularPrice: 1e9 });
    expect(p1.enoughPriceVariation).toBe(false);
    expect(p1.elasticity).not.toBeNull();
  });

  test('mismatched columns and bad prices name the field', () => {
    const field = (h: SalesHistory) => {
      try {
        estimateElasticities(h);
      } catch (e) {
        expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
        return (e as SalescastError).location.field;
      }
    };
    expect(field({ ...history, units: history.units.slice(1) })).toBe('units');
    const badPrice = history.paidPrice.slice();
    badPrice[5] = 0;
    expect(field({ ...history, paidPrice: badPrice })).toBe('paidPrice[5]');
    const badUnits = history.units.slice();
    badUnits[2] = -1;
    expect(field({ ...history, units: badUnits })).toBe('units[2]');
    expect(field({ ...history, referencePrice: new Float64Array([2]) })).toBe('referencePrice');
  });
});
