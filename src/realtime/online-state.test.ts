import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../core/dates.js';
import { buildPanel, type Panel } from '../features/panel.js';
import { expandingCategoryMean } from '../features/target-encoding.js';
import { lookbackOf, OnlineState } from './online-state.js';

const d = (s: string) => parseIsoDay(s)!;

function history() {
  return buildPanel({
    seriesId: ['a', 'a', 'a', 'b', 'b'],
    date: [d('2024-01-01'), d('2024-01-02'), d('2024-01-03'), d('2024-01-02'), d('2024-01-03')],
    y: [1, 2, 3, 10, 20],
    exog: { price: [5, 5, 6, 9, 9], promo: ['x', null, 'y', null, null] },
  });
}

describe('OnlineState', () => {
  it('appends actuals (gaps become NaN rows), corrects rows in the window, ignores stale ones', () => {
    const s = new OnlineState(history(), 10);
    expect(s.apply({ seriesId: 'a', date: d('2024-01-05'), y: 5, drivers: { price: 7 } })).toEqual({
      kind: 'appended',
      gap: 2,
    });
    const p = s.panelOf(['a']);
    expect(Array.from(p.y)).toEqual([1, 2, 3, Number.NaN, 5]);
    expect(Array.from(p.exog.price as Float64Array)).toEqual([5, 5, 6, Number.NaN, 7]);
    expect(s.apply({ seriesId: 'a', date: d('2024-01-04'), y: 4, drivers: {} }).kind).toBe('corrected');
    expect(Array.from(s.panelOf(['a']).y)).toEqual([1, 2, 3, 4, 5]);
    expect(s.apply({ seriesId: 'a', date: d('2023-12-01'), y: 9, drivers: {} }).kind).toBe('stale');
    expect(() => s.apply({ seriesId: 'zz', date: d('2024-01-05'), y: 1, drivers: {} })).toThrow(/'zz'/);
  });

  it('keeps future events as known drivers and applies them when their day arrives', () => {
    const s = new OnlineState(history(), 10);
    expect(s.apply({ seriesId: 'b', date: d('2024-01-05'), y: null, drivers: { promo: 'y' } }).kind).toBe(
      'future',
    );
    const future = s.futureOf(['b'], 2)!;
    const promo = future.exog.promo as { codes: Int32Array; levels: readonly string[] };
    expect(Array.from(future.dates)).toEqual([d('2024-01-04'), d('2024-01-05')]);
    expect(Array.from(promo.codes, (c) => (c < 0 ? null : promo.levels[c]))).toEqual([null, 'y']);
    s.apply({ seriesId: 'b', date: d('2024-01-05'), y: 30, drivers: {} });
    const p = s.panelOf(['b']);
    const codes = (p.exog.promo as { codes: Int32Array }).codes;
    expect(codes[codes.length - 1]).toBe(promo.levels.indexOf('y'));
    expect(s.futureOf(['b'], 2)).toBeUndefined();
  });

  it('keeps the last `lookback` rows and a digest that changes with the data only', () => {
    const s = new OnlineState(history(), 3);
    const before = s.digest('a');
    expect(s.digest('a')).toBe(before);
    for (let k = 4; k <= 12; k++)
      s.apply({ seriesId: 'a', date: d(`2024-01-${String(k).padStart(2, '0')}`), y: k, drivers: {} });
    expect(Array.from(s.panelOf(['a']).y)).toEqual([10, 11, 12]);
    expect(s.lastDate('a')).toBe(d('2024-01-12'));
    expect(s.digest('a')).not.toBe(before);
    expect(s.level('a', 2)).toBe(11.5);
  });

  it("sums the rows leaving the window, on the model's scale, for features over every row", () => {
    // Every row of both series, streamed from 2024-01-04 on; category 'x' or 'y' by day.
    const ids: string[] = [];
    const dates: number[] = [];
    const ys: number[] = [];
    const promos: (string | null)[] = [];
    const hist = history();
    for (let s = 0; s < 2; s++) {
      for (let r = hist.offsets[s]; r < hist.offsets[s + 1]; r++) {
        ids.push(hist.seriesIds[s]);
        dates.push(hist.dates[r]);
        ys.push(hist.y[r]);
        const c = (hist.exog.promo as { codes: Int32Array; levels: readonly string[] }).codes[r];
        promos.push(c < 0 ? null : ['x', 'y'][c]);
      }
    }
    const double = (p: Panel) => p.y.map((v) => 2 * v);
    const state = new OnlineState(hist, 3, double);
    for (let k = 4; k <= 30; k++) {
      for (const id of ['a', 'b']) {
        // Series b stops a week early, so rows it keeps are older than rows a has left out.
        if (id === 'b' && k > 23) continue;
        const date = d(`2024-01-${String(k).padStart(2, '0')}`);
        const promo = (k + id.length) % 3 === 0 ? 'x' : k % 2 === 0 ? 'y' : null;
        const y = k * (id === 'a' ? 1 : 3);
        state.apply({ seriesId: id, date, y, drivers: { promo, price: 5 } });
        ids.push(id);
        dates.push(date);
        ys.push(y);
        promos.push(promo);
      }
    }
    const full = buildPanel({
      seriesId: ids,
      date: dates,
      y: ys,
      exog: { promo: promos, price: ys.map(() => 5) },
    });
    const served = state.panelOf();
    // Bounded: at most twice the window per series, the rest summed.
    expect(served.y.length).toBeLessThanOrEqual(2 * 2 * 3);
    expect(served.leftOut?.promo.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    for (const minLag of [1, 3]) {
      const want = expandingCategoryMean({ ...full, y: double(full) }, 'promo', minLag);
      const got = expandingCategoryMean({ ...served, y: double(served) }, 'promo', minLag);
      for (let r = 0; r < served.y.length; r++) {
        const s = served.offsets[1] <= r ? 1 : 0;
        const fr = full.offsets[s + 1] - (served.offsets[s + 1] - r);
        expect(full.dates[fr]).toBe(served.dates[r]);
        if (Number.isNaN(want[fr])) expect(got[r]).toBeNaN();
        else expect(got[r]).toBeCloseTo(want[fr], 12);
      }
    }
    // A model without such features keeps no sums.
    expect(new OnlineState(hist, 3).panelOf().leftOut).toBeUndefined();
  });

  it('sizes the window from the feature configuration', () => {
    // lag 7 + a 28-day window, plus the horizon; the driver windows (64) dominate short configs.
    expect(lookbackOf({ models: {}, lags: [1, 7], lagTransforms: { 7: [] } }, 'day', 7)).toBe(64 + 7);
    const long = lookbackOf({ models: {}, lags: [364] }, 'day', 14);
    expect(long).toBeGreaterThanOrEqual(364 + 14);
  });
});
