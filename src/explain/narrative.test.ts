import { expect, test } from 'vitest';
import { changeNarrative, percent, segmentName, signedUnits } from './narrative.js';

test('amounts are signed with a typographic minus and grouped', () => {
  expect(signedUnits(-41.4)).toBe('−41 units');
  expect(signedUnits(1234.6)).toBe('+1,235 units');
  expect(signedUnits(1)).toBe('+1 unit');
  expect(signedUnits(0.2)).toBe('0 units');
  expect(percent(0.234)).toBe('23%');
});

test('segments are named by kind and id, or by a label', () => {
  expect(segmentName({ kind: 'product', id: 'P005' })).toBe('product P005');
  expect(segmentName({ kind: 'store', id: 'S01' }, 'Downtown (S01)')).toBe('store Downtown (S01)');
  expect(segmentName({ kind: 'tenant' })).toBe('all stores and products');
});

test('a driver column below zero is written with the same typographic minus', () => {
  const text = changeNarrative({
    segment: { kind: 'product', id: 'P004' },
    periods: [
      { from: 20_000, to: 20_006 },
      { from: 20_007, to: 20_013 },
    ],
    actual: [100, 80],
    change: -20,
    relativeChange: -0.2,
    drivers: [{ driver: 'weather', units: -15 }],
    unexplained: -5,
    context: { tempC: [1.2, -3.4] },
  });
  expect(text).toContain('Weather explains −15 units (mean temperature 1 °C → −3 °C)');
});
