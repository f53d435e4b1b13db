import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { empiricalIntervals, movingAverage, quantileSorted, seasonalNaive } from './baselines.js';

const f64 = (...v: number[]) => new Float64Array(v);
const list = (a: Float64Array) => Array.from(a, (v) => Number(v.toFixed(12)));

describe('quantileSorted', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(quantileSorted(f64(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(quantileSorted(f64(1, 2, 3, 4), 0.25)).toBe(1.75);
    expect(quantileSorted(f64(7), 0.9)).toBe(7);
  });
});

describe('seasonalNaive', () => {
  it('repeats the last season', () => {
    const f = seasonalNaive(f64(1, 2, 3, 4, 5, 6), 4, 3);
    expect(f.model).toBe('seasonal_naive');
    expect(list(f.mean)).toEqual([4, 5, 6, 4]);
    expect(f.intervals).toEqual([]);
  });

  it('takes intervals from the residual quantiles, widened by √(seasons ahead)', () => {
    // residuals y_t − y_{t−2}: 1, 1, 2, 1 → Q(0.1) = 1, Q(0.9) = 1.7
    const f = seasonalNaive(f64(1, 5, 2, 6, 4, 7), 4, 2, [0.8]);
    expect(list(f.mean)).toEqual([4, 7, 4, 7]);
    const [i80] = f.intervals;
    expect(i80.level).toBe(0.8);
    expect(list(i80.lower)).toEqual(list(f64(5, 8, 4 + Math.SQRT2, 7 + Math.SQRT2)));
    expect(list(i80.upper)).toEqual(list(f64(5.7, 8.7, 4 + 1.7 * Math.SQRT2, 7 + 1.7 * Math.SQRT2)));
  });

  it('uses what there is when the history is shorter than a season, and fills gaps', () => {
    expect(list(seasonalNaive(f64(3, 4), 3, 7).mean)).toEqual([3, 4, 3]);
    expect(list(seasonalNaive(f64(Number.NaN, 1, Number.NaN, 3), 2, 1).mean)).toEqual([3, 3]);
  });

  it('rejects a bad season or horizon', () => {
    expect(() => seasonalNaive(f64(1, 2), 2, 0)).toThrow(SalescastError);
    expect(() => seasonalNaive(f64(1, 2), 0, 1)).toThrow(SalescastError);
  });
});

describe('movingAverage', () => {
  it('forecasts the mean of the last window with residual-quantile intervals', () => {
    // fits at t = 2, 3, 4: 2, 2.5, 3 → residuals 0, 1.5, 0 → Q(0.1) = 0, Q(0.9) = 1.2
    const f = movingAverage(f64(1, 3, 2, 4, 3), 3, 2, [0.8]);
    expect(f.model).toBe('moving_average');
    expect(list(f.mean)).toEqual([3.5, 3.5, 3.5]);
    expect(list(f.intervals[0].lower)).toEqual([3.5, 3.5, 3.5]);
    expect(list(f.intervals[0].upper)).toEqual([4.7, 4.7, 4.7]);
  });

  it('averages everything when the window exceeds the history', () => {
    const f = movingAverage(f64(2, 4), 2, 5, [0.9]);
    expect(list(f.mean)).toEqual([3, 3]);
    expect(list(f.intervals[0].upper)).toEqual([3, 3]);
  });
});

describe('empiricalIntervals', () => {
  it('nests wider levels around narrower ones', () => {
    const residuals = Float64Array.from({ length: 101 }, (_, i) => i - 50);
    const [i50, i90] = empiricalIntervals(f64(100, 100), residuals, [0.5, 0.9], (t) => t + 1);
    expect(list(i50.lower)).toEqual([75, 50]);
    expect(list(i90.lower)).toEqual([55, 10]);
    expect(list(i90.upper)).toEqual([145, 190]);
  });
});
