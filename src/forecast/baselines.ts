/**
 * Baseline per-series forecasts: seasonal naive and moving average, with prediction intervals from
 * the empirical quantiles of their own in-sample residuals. They need no fitting library, work on
 * any length ≥ 1, and are the fallbacks of the statistical models for series too short to fit.
 * Missing values are handled as `fillMissing` documents.
 */
import { SalescastError } from '../core/errors.js';
import { fillMissing } from './fill-missing.js';
import { type PredictionInterval, type SeriesForecast, validateForecastRequest } from './series-forecast.js';

/**
 * The p-quantile of `values` by linear interpolation between order statistics (R's type 7, the
 * default of R and NumPy). `sorted` must be ascending and non-empty.
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Intervals around `mean` from the empirical distribution of in-sample residuals (actual minus
 * fitted): at step t the level-L interval is mean[t] + scale(t) · [Q((1 − L)/2), Q((1 + L)/2)] of
 * the residuals. Without residuals (a history no longer than one season) the intervals collapse to
 * the point forecast: the data say nothing about the spread, and the model name tells callers so.
 *
 * @param scale widening factor per 0-based step, e.g. √(seasons ahead); 1 by default
 */
export function empiricalIntervals(
  mean: Float64Array,
  residuals: Float64Array,
  levels: readonly number[],
  scale: (step: number) => number = () => 1,
): PredictionInterval[] {
  const sorted = residuals.slice().sort();
  return levels.map((level) => {
    const qLo = sorted.length > 0 ? quantileSorted(sorted, (1 - level) / 2) : 0;
    const qHi = sorted.length > 0 ? quantileSorted(sorted, (1 + level) / 2) : 0;
    const lower = new Float64Array(mean.length);
    const upper = new Float64Array(mean.length);
    for (let t = 0; t < mean.length; t++) {
      const s = scale(t);
      lower[t] = mean[t] + s * qLo;
      upper[t] = mean[t] + s * qHi;
    }
    return { level, lower, upper };
  });
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new SalescastError('INVALID_ARGUMENT', `${name} must be an integer ≥ 1; got ${value}.`);
  }
}

/**
 * Seasonal naive: step t repeats the value one season before, y[n − m + (t mod m)]. With fewer than
 * m observations the available ones repeat (m becomes n). Intervals use the residuals
 * y_t − y_{t−m}, widened by √k for the k-th season ahead (the random-walk-per-season variance).
 *
 * @param y history in time order; `season` m ≥ 1 (1 gives the naive last-value forecast)
 */
export function seasonalNaive(
  y: Float64Array,
  h: number,
  season: number,
  levels: readonly number[] = [],
): SeriesForecast {
  validateForecastRequest(h, levels);
  requirePositiveInteger('The season', season);
  const x = fillMissing(y);
  const n = x.length;
  const m = Math.min(season, n);
  const mean = new Float64Array(h);
  for (let t = 0; t < h; t++) mean[t] = x[n - m + (t % m)];
  const residuals = new Float64Array(Math.max(0, n - m));
  for (let t = m; t < n; t++) residuals[t - m] = x[t] - x[t - m];
  const intervals = empiricalIntervals(mean, residuals, levels, (t) => Math.sqrt(Math.floor(t / m) + 1));
  return { model: 'seasonal_naive', mean, intervals };
}

/**
 * Moving average: every step is the mean of the last `window` observations (all of them when the
 * series is shorter). Intervals use the one-step residuals y_t − mean(y_{t−w..t−1}) and stay
 * constant over the horizon, as befits a model that assumes a stationary level.
 */
export function movingAverage(
  y: Float64Array,
  h: number,
  window: number,
  levels: readonly number[] = [],
): SeriesForecast {
  validateForecastRequest(h, levels);
  requirePositiveInteger('The window', window);
  const x = fillMissing(y);
  const n = x.length;
  const w = Math.min(window, n);
  // Running sum over the trailing window gives every in-sample fit in one pass.
  let sum = 0;
  for (let t = 0; t < w; t++) sum += x[t];
  const residuals = new Float64Array(n - w);
  for (let t = w; t < n; t++) {
    residuals[t - w] = x[t] - sum / w;
    sum += x[t] - x[t - w];
  }
  const mean = new Float64Array(h).fill(sum / w);
  return { model: 'moving_average', mean, intervals: empiricalIntervals(mean, residuals, levels) };
}
