import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { intervalQuantiles } from './series-forecast.js';
import { fitPredictAutoEts, fitPredictMstl } from './statistical.js';

const WEEK = [3, 5, 4, 6, 9, 14, 11];
const weekly = (n: number) => Float64Array.from({ length: n }, (_, t) => 20 + WEEK[t % 7]);

function maxAbsDiff(a: Float64Array, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('fitPredictAutoEts', () => {
  it('forecasts a pure seasonal series almost exactly, through STL', () => {
    const f = fitPredictAutoEts(weekly(140), 14, 7, [0.8]);
    expect(f.model).toBe('mstl(7)');
    const truth = Array.from({ length: 14 }, (_, t) => 20 + WEEK[(140 + t) % 7]);
    expect(maxAbsDiff(f.mean, truth)).toBeLessThan(1e-3);
  });

  it('gives a constant series its constant with zero-width intervals', () => {
    const f = fitPredictAutoEts(new Float64Array(30).fill(4.5), 5, 7, [0.8, 0.95]);
    expect(f.model).toBe('constant');
    expect(Array.from(f.mean)).toEqual([4.5, 4.5, 4.5, 4.5, 4.5]);
    expect(Array.from(f.intervals[1].lower)).toEqual(Array.from(f.mean));
  });

  it('follows a linear trend without a season', () => {
    const y = Float64Array.from({ length: 60 }, (_, t) => 5 + 2 * t);
    const f = fitPredictAutoEts(y, 3, 1, []);
    expect(f.model).toBe('ets');
    expect(maxAbsDiff(f.mean, [125, 127, 129])).toBeLessThan(0.5);
    expect(f.intervals).toEqual([]);
  });

  it('returns nested intervals, so quantiles come out ordered', () => {
    const rng = createRng(3);
    const y = Float64Array.from({ length: 120 }, (_, t) => 50 + WEEK[t % 7] + 3 * rng.normal());
    const f = fitPredictAutoEts(y, 10, 7, [0.5, 0.8, 0.95]);
    const q = intervalQuantiles(f, [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975]);
    const levels = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975];
    for (let t = 0; t < 10; t++) {
      for (let k = 1; k < levels.length; k++) expect(q[levels[k]][t]).toBeGreaterThan(q[levels[k - 1]][t]);
      // the raw intervals are already nested: no rearrangement needed
      expect(f.intervals[2].lower[t]).toBeLessThan(f.intervals[1].lower[t]);
      expect(f.intervals[0].upper[t]).toBeLessThan(f.intervals[1].upper[t]);
    }
    // a 95% interval on noise of σ = 3 is roughly ±6
    const width = f.intervals[2].upper[0] - f.intervals[2].lower[0];
    expect(width).toBeGreaterThan(8);
    expect(width).toBeLessThan(20);
  });

  it('handles leading and interior missing values', () => {
    const y = weekly(147);
    y[0] = y[1] = y[2] = y[3] = y[4] = y[5] = y[6] = Number.NaN;
    y[40] = Number.NaN;
    const f = fitPredictAutoEts(y, 7, 7, []);
    const truth = Array.from({ length: 7 }, (_, t) => 20 + WEEK[(147 + t) % 7]);
    expect(maxAbsDiff(f.mean, truth)).toBeLessThan(0.05);
  });

  it('falls back on short series and goes non-seasonal below two seasons', () => {
    const tiny = fitPredictAutoEts(Float64Array.from([1, 4, 2, 5]), 3, 7, [0.8]);
    expect(tiny.model).toBe('fallback:naive');
    expect(Array.from(tiny.mean)).toEqual([5, 5, 5]);
    const short = fitPredictAutoEts(Float64Array.from([4, 6, 5, 7, 6, 8, 7, 9, 8, 10]), 2, 7, []);
    expect(short.model).toBe('ets');
    const fiveWeekly = fitPredictAutoEts(Float64Array.from([1, 4, 2, 5, 3, 6]), 3, 2, []);
    expect(fiveWeekly.model).toBe('fallback:seasonal_naive');
    expect(Array.from(fiveWeekly.mean)).toEqual([3, 6, 3]);
  });

  it('rejects bad arguments', () => {
    expect(() => fitPredictAutoEts(weekly(30), 0, 7, [])).toThrow(SalescastError);
    expect(() => fitPredictAutoEts(weekly(30), 3, 0, [])).toThrow(SalescastError);
    expect(() => fitPredictAutoEts(weekly(30), 3, 7, [1.5])).toThrow(SalescastError);
  });
});

describe('fitPredictMstl', () => {
  it('forecasts a sum of two seasonal patterns almost exactly', () => {
    const pattern = (t: number) => 40 + WEEK[t % 7] + 6 * Math.sin((2 * Math.PI * t) / 30);
    const y = Float64Array.from({ length: 300 }, (_, t) => pattern(t));
    const f = fitPredictMstl(y, 14, [7, 30], [0.8]);
    expect(f.model).toBe('mstl(7,30)');
    const truth = Array.from({ length: 14 }, (_, t) => pattern(300 + t));
    expect(maxAbsDiff(f.mean, truth)).toBeLessThan(0.1);
    for (let t = 0; t < 14; t++) {
      expect(f.intervals[0].lower[t]).toBeLessThanOrEqual(f.mean[t]);
      expect(f.intervals[0].upper[t]).toBeGreaterThanOrEqual(f.mean[t]);
    }
  });

  it('drops periods without two full cycles in the history', () => {
    const f = fitPredictMstl(weekly(100), 7, [365, 7], []);
    expect(f.model).toBe('mstl(7)');
    const truth = Array.from({ length: 7 }, (_, t) => 20 + WEEK[(100 + t) % 7]);
    expect(maxAbsDiff(f.mean, truth)).toBeLessThan(1e-3);
  });
});
