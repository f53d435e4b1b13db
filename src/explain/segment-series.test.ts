import { expect, test } from 'vitest';
import { DRIVERS } from './drivers.js';
import { segmentActuals, segmentConditions, segmentSeries } from './segment-series.js';
import { syntheticHistory } from './testing/synthetic.js';

const { history, contributions } = syntheticHistory(
  [
    { id: 'S1/P1', y: [1, 2, 3], fitted: [1, 2, 2], drivers: { price: [0.5, 0, 0] } },
    { id: 'S2/P1', y: [10, 20, 30] },
    { id: 'S1/P2', y: [100, 200, 300] },
  ],
  100,
);

test('segments select series by store or product', () => {
  expect(segmentConditions({ kind: 'store', id: 'S1' })).toEqual({ stores: ['S1'] });
  expect(segmentConditions({ kind: 'product', id: 'P1' })).toEqual({ products: ['P1'] });
  expect(segmentConditions({ kind: 'product', id: 'P1', store: 'S2' })).toEqual({
    products: ['P1'],
    stores: ['S2'],
  });
  expect(segmentConditions({ kind: 'tenant' })).toEqual({});
});

test('a segment series sums actuals, predictions and driver contributions per date', () => {
  const s = segmentSeries({ kind: 'product', id: 'P1' }, history, contributions);
  expect(s.members).toEqual(['S1/P1', 'S2/P1']);
  expect(Array.from(s.dates)).toEqual([100, 101, 102]);
  expect(Array.from(s.actual)).toEqual([11, 22, 33]);
  expect(Array.from(s.fitted)).toEqual([11, 22, 32]);
  expect(s.byDriver[DRIVERS.indexOf('price')]).toBe(0.5);
  expect(s.byDriver[DRIVERS.indexOf('trend')]).toBe(10.5);
});

test('segment actuals cover the whole history of the store', () => {
  const a = segmentActuals({ kind: 'store', id: 'S1' }, history);
  expect(Array.from(a.actual)).toEqual([101, 202, 303]);
});
