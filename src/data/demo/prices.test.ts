import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { buildProducts } from './catalog.js';
import { simulatePrices } from './prices.js';
import { demoWindow } from './window.js';

describe('simulatePrices', () => {
  const window = demoWindow('2023-01-02', 365, 'day');
  const products = buildProducts(createRng(1), 12);
  const prices = simulatePrices(createRng(3), products, 3, window);

  it('discounts in events of 3–10 days at 10–40% only for products with discount events', () => {
    products.forEach((product, j) => {
      for (let s = 0; s < 3; s++) {
        const d = prices.discountPct[s * products.length + j];
        if (!product.has_discount_events) {
          expect(d.every((x) => x === 0)).toBe(true);
          continue;
        }
        const share = d.filter((x) => x > 0).length / d.length;
        expect(share).toBeGreaterThan(0.1);
        expect(share).toBeLessThan(0.4);
        for (const x of d) expect([0, 10, 15, 20, 25, 30, 35, 40]).toContain(x);
      }
    });
  });

  it('keeps the shelf price at base price until a recorded permanent increase', () => {
    products.forEach((product, j) => {
      const shelf = prices.shelf[j];
      const change = prices.changes[j][0];
      if (change === undefined) {
        expect(shelf.every((x) => x === product.base_price)).toBe(true);
        return;
      }
      expect(change.new_price).toBeGreaterThan(product.base_price);
      const at = shelf.findIndex((x) => x !== product.base_price);
      expect(shelf[at]).toBe(change.new_price);
      expect(shelf[shelf.length - 1]).toBe(change.new_price);
    });
    expect(prices.changes.some((c) => c.length > 0)).toBe(true);
  });
});
