import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { buildProducts } from './catalog.js';
import { simulatePromotions } from './promotions.js';
import { demoWindow } from './window.js';

describe('simulatePromotions', () => {
  const window = demoWindow('2023-01-02', 730, 'day');
  const products = buildProducts(createRng(1), 8);
  const { promotions, lift } = simulatePromotions(createRng(2), products, 4, window);

  it('runs about six non-overlapping promotions of 3–14 days per product per year', () => {
    products.forEach((_, j) => {
      const own = promotions.filter((p) => p.product_index === j);
      expect(own.length).toBeGreaterThanOrEqual(8);
      expect(own.length).toBeLessThanOrEqual(16);
      own.forEach((p, i) => {
        expect(p.last - p.first + 1).toBeGreaterThanOrEqual(p.last === window.nDays - 1 ? 1 : 3);
        expect(p.last - p.first + 1).toBeLessThanOrEqual(14);
        if (i > 0) expect(p.first).toBeGreaterThan(own[i - 1].last);
      });
    });
    expect(promotions.map((p) => p.promo_id)).toEqual(
      promotions.map((_, i) => `PR${String(i + 1).padStart(4, '0')}`),
    );
  });

  it('applies the product’s lift for the promotion type in the promoted stores only', () => {
    const storeOnly = promotions.find((p) => p.store_index !== -1)!;
    const product = products[storeOnly.product_index];
    for (let s = 0; s < 4; s++) {
      const value = lift[s * products.length + storeOnly.product_index][storeOnly.first];
      expect(value).toBe(s === storeOnly.store_index ? product.promo_lift[storeOnly.promo_type] : 1);
    }
    const chainWide = promotions.find((p) => p.store_index === -1)!;
    for (let s = 0; s < 4; s++) {
      expect(lift[s * products.length + chainWide.product_index][chainWide.last]).toBe(
        products[chainWide.product_index].promo_lift[chainWide.promo_type],
      );
    }
  });
});
