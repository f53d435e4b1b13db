import { expect, test } from 'vitest';
import { attributeChange } from './change-attribution.js';
import { changeNarrative } from './narrative.js';
import { syntheticHistory } from './testing/synthetic.js';

const MONDAY = 19723; // 2024-01-01
const week = (a: number, b: number) => [...Array(7).fill(a), ...Array(7).fill(b)] as number[];

// Week A: 20% discount (+4 units a day) and a promotion (+2); week B: neither, a slightly better
// season (+1.3 instead of +1), and 0.5 units a day the model does not explain.
const { history, contributions } = syntheticHistory(
  [
    {
      id: 'S1/P5',
      base: 10,
      fitted: week(17, 11.3),
      y: week(17, 11.8),
      drivers: { price: week(4, 0), promotion: week(2, 0), seasonality: week(1, 1.3) },
      exog: { discount_pct: week(20, 0), on_promo: week(1, 0), temp_c: week(10, 10) },
    },
    {
      id: 'S1/P6',
      y: week(3, 30),
      exog: { discount_pct: week(0, 0), on_promo: week(0, 0), temp_c: week(10, 10) },
    },
  ],
  MONDAY,
);
const A = { from: MONDAY, to: MONDAY + 6 };
const B = { from: MONDAY + 7, to: MONDAY + 13 };

test('the change between two weeks splits into driver differences and an unexplained rest', () => {
  const att = attributeChange({ kind: 'product', id: 'P5' }, history, contributions, A, B);
  expect(att.actual[0]).toBeCloseTo(119, 9);
  expect(att.actual[1]).toBeCloseTo(82.6, 9);
  expect(att.change).toBeCloseTo(-36.4, 9);
  expect(att.drivers.map((d) => d.driver)).toEqual(['price', 'promotion', 'seasonality']);
  expect(att.drivers[0].units).toBeCloseTo(-28, 9);
  expect(att.drivers[1].units).toBeCloseTo(-14, 9);
  expect(att.drivers[2].units).toBeCloseTo(2.1, 9);
  expect(att.unexplained).toBeCloseTo(3.5, 9);
  const total = att.drivers.reduce((s, d) => s + d.units, 0) + att.unexplained;
  expect(total).toBeCloseTo(att.change, 9);
  expect(att.context.discountPct).toEqual([20, 0]);
  expect(att.context.promoShare).toEqual([1, 0]);
});

test('the narrative names the amounts and the driver values behind them', () => {
  const att = attributeChange({ kind: 'product', id: 'P5' }, history, contributions, A, B);
  expect(changeNarrative(att)).toBe(
    'Sales of product P5 fell 31% (−36 units) from 2024-01-01–2024-01-07 to 2024-01-08–2024-01-14, 119 → 83 units. ' +
      'Price explains −28 units (mean discount 20% → 0%), promotion −14 units (on promotion 100% → 0% of days), ' +
      'seasonality +2 units; +4 units are unexplained by the model.',
  );
});

test('a longer first period is rescaled to the second one’s length', () => {
  const att = attributeChange(
    { kind: 'product', id: 'P5' },
    history,
    contributions,
    { from: MONDAY, to: MONDAY + 13 },
    B,
  );
  // A = both weeks (14 days) scaled by 7/14: (119 + 82.6) / 2.
  expect(att.actual[0]).toBeCloseTo(100.8, 9);
  expect(att.change).toBeCloseTo(82.6 - 100.8, 9);
  expect(att.drivers.find((d) => d.driver === 'price')?.units).toBeCloseTo(-14, 9);
});

test('a rise across the whole tenant, and a period without sales', () => {
  const att = attributeChange({ kind: 'tenant' }, history, contributions, A, B);
  expect(att.change).toBeCloseTo(82.6 + 210 - 119 - 21, 9);
  expect(changeNarrative(att, { label: 'the demo retailer' })).toMatch(
    /^Sales of the demo retailer rose 109% \(\+153 units\)/,
  );
  expect(() =>
    attributeChange(
      { kind: 'product', id: 'P5' },
      history,
      contributions,
      { from: MONDAY - 14, to: MONDAY - 8 },
      B,
    ),
  ).toThrow(/no observed sales of the product 'P5' between 2023-12-18 and 2023-12-24/);
});
