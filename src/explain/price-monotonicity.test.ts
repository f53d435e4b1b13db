import { expect, test } from 'vitest';
import { priceMonotoneConstraints } from './price-monotonicity.js';

test('units may not rise with the price paid nor fall with the discount; other features are free', () => {
  expect(
    priceMonotoneConstraints([
      'lag7',
      'price',
      'paid_price',
      'discount_pct',
      'discount_depth',
      'price_change',
      'on_promo',
    ]),
  ).toEqual([0, -1, -1, 1, 1, 0, 0]);
});
