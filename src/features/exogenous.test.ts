import { describe, expect, it } from 'vitest';
import type { SeriesView } from './definition.js';
import { exogFeature, priceFeatures, promoFeatures, seriesIdFeature } from './exogenous.js';

function view(exog: Record<string, number[]>): SeriesView {
  const n = Object.values(exog)[0].length;
  return {
    series: 0,
    id: 'b',
    freq: 'week',
    dates: new Int32Array(n),
    y: new Float64Array(n),
    exog: Object.fromEntries(Object.entries(exog).map(([k, v]) => [k, Float64Array.from(v)])),
  };
}

function values(def: { compute: (v: SeriesView, at: Int32Array, out: Float64Array) => void }, v: SeriesView) {
  const out = new Float64Array(v.dates.length);
  def.compute(
    v,
    Int32Array.from({ length: out.length }, (_, i) => i),
    out,
  );
  return [...out];
}

function close(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => {
    if (Number.isNaN(w)) expect(got[i]).toBeNaN();
    else expect(got[i]).toBeCloseTo(w, 12);
  });
}

describe('driver features', () => {
  const v = view({
    price: [10, 10, 8, 8, 10, 5],
    base_price: [10, 10, 10, 10, 10, 10],
    paid_price: [10, 9, 8, 8, 10, 5],
    on_promo: [0, 0, 1, 0, 0, 1],
  });

  it('derive price ratios, changes and discount depth', () => {
    const defs = Object.fromEntries(
      priceFeatures(['price', 'base_price', 'paid_price'], 'week').map((d) => [d.name, d]),
    );
    expect(Object.keys(defs)).toEqual([
      'price_rel_base',
      'price_rel_recent',
      'price_change',
      'discount_depth',
    ]);
    expect(values(defs.price_rel_base, v)).toEqual([1, 1, 0.8, 0.8, 1, 0.5]);
    // Mean of the previous 4 weeks: t = 4 → (10 + 10 + 8 + 8) / 4 = 9.
    expect(values(defs.price_rel_recent, v)[4]).toBeCloseTo(10 / 9, 12);
    expect(values(defs.price_rel_recent, v)[0]).toBeNaN();
    close(values(defs.price_change, v), [Number.NaN, 0, -0.2, 0, 0.25, -0.5]);
    close(values(defs.discount_depth, v), [0, 0.1, 0.2, 0.2, 0, 0.5]);
  });

  it('count periods since and until a promotion, capped at 60', () => {
    const [since, until] = promoFeatures(['on_promo']);
    expect(values(since, v)).toEqual([60, 60, 60, 1, 2, 3]);
    expect(values(until, v)).toEqual([2, 1, 3, 2, 1, 60]);
    expect(promoFeatures(['price'])).toEqual([]);
  });

  it('pass raw drivers through and key the series identity by id', () => {
    expect(values(exogFeature('price', false), v)).toEqual([10, 10, 8, 8, 10, 5]);
    expect(values(exogFeature('absent', false), v).every(Number.isNaN)).toBe(true);
    expect(values(seriesIdFeature(['a', 'b']), v)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(values(seriesIdFeature(['a']), v).every(Number.isNaN)).toBe(true);
  });
});
