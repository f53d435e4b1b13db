import { expect, test } from 'vitest';
import { percent, segmentName, signedUnits } from './narrative.js';

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
