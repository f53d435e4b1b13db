import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { intervalQuantiles, type SeriesForecast, validateForecastRequest } from './series-forecast.js';

const f64 = (...v: number[]) => new Float64Array(v);

describe('intervalQuantiles', () => {
  const forecast: SeriesForecast = {
    model: 'test',
    mean: f64(10, 20),
    intervals: [
      { level: 0.8, lower: f64(8, 15), upper: f64(12, 25) },
      { level: 0.5, lower: f64(9, 18), upper: f64(11, 26) },
    ],
  };

  it('maps interval ends to quantiles and the mean to the median', () => {
    const q = intervalQuantiles(forecast, [0.9, 0.1, 0.5]);
    expect(Object.keys(q).map(Number)).toEqual([0.1, 0.5, 0.9]);
    expect(Array.from(q[0.1])).toEqual([8, 15]);
    expect(Array.from(q[0.5])).toEqual([10, 20]);
    expect(Array.from(q[0.9])).toEqual([12, 25]);
  });

  it('sorts crossing quantiles at each step', () => {
    // At step 1 the 0.75 quantile (26) exceeds the 0.9 quantile (25): rearranged to 25, 26.
    const q = intervalQuantiles(forecast, [0.25, 0.75, 0.9]);
    expect(Array.from(q[0.75])).toEqual([11, 25]);
    expect(Array.from(q[0.9])).toEqual([12, 26]);
    expect(Array.from(forecast.intervals[0].upper)).toEqual([12, 25]);
  });

  it('rejects a quantile that no interval provides', () => {
    expect(() => intervalQuantiles(forecast, [0.05])).toThrow(SalescastError);
  });
});

describe('validateForecastRequest', () => {
  it('accepts a positive horizon and levels in (0, 1) only', () => {
    expect(() => validateForecastRequest(3, [0.8])).not.toThrow();
    expect(() => validateForecastRequest(0, [])).toThrow(/horizon/);
    expect(() => validateForecastRequest(1.5, [])).toThrow(/horizon/);
    expect(() => validateForecastRequest(2, [1])).toThrow(/level/);
  });
});
