/**
 * The result shape shared by the per-series models (statistical models and baselines): a point
 * forecast plus central prediction intervals at one or more levels.
 */
import { SalescastError } from '../core/errors.js';

/** A central prediction interval: P(lower ≤ y ≤ upper) = level at each step. */
export interface PredictionInterval {
  /** Coverage level in (0, 1), e.g. 0.8 for the P10–P90 interval. */
  readonly level: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Forecast of one series over h steps. */
export interface SeriesForecast {
  /** The model that produced it, e.g. "ets", "mstl(7)", "seasonal_naive", or a fallback's name. */
  readonly model: string;
  /** Point forecast, length h. */
  readonly mean: Float64Array;
  /** One interval per requested level, in the order requested. */
  readonly intervals: readonly PredictionInterval[];
}

/** Throws INVALID_ARGUMENT unless h is a positive integer and every level is in (0, 1). */
export function validateForecastRequest(h: number, levels: readonly number[]): void {
  if (!Number.isInteger(h) || h < 1) {
    throw new SalescastError('INVALID_ARGUMENT', `The horizon must be an integer ≥ 1; got ${h}.`);
  }
  for (const level of levels) {
    if (!(level > 0 && level < 1)) {
      throw new SalescastError('INVALID_ARGUMENT', `An interval level must be in (0, 1); got ${level}.`);
    }
  }
}

/**
 * Quantile forecasts from the intervals: a level-L interval gives the quantiles (1 − L)/2 and
 * (1 + L)/2, and 0.5 is the point forecast. Where quantiles from different intervals would cross,
 * the values at each step are sorted (monotone rearrangement, Chernozhukov et al. 2010), which can
 * only reduce the pinball loss.
 *
 * @param probs quantile levels to return; each must be 0.5 or an end of a given interval
 * @returns one array of length h per requested level, keyed by level
 */
export function intervalQuantiles(
  forecast: SeriesForecast,
  probs: readonly number[],
): Record<number, Float64Array> {
  const sources = new Map<number, Float64Array>([[0.5, forecast.mean]]);
  for (const { level, lower, upper } of forecast.intervals) {
    sources.set(roundLevel((1 - level) / 2), lower);
    sources.set(roundLevel((1 + level) / 2), upper);
  }
  const sorted = [...new Set(probs.map(roundLevel))].sort((a, b) => a - b);
  const columns = sorted.map((p) => {
    const column = sources.get(p);
    if (!column) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `Quantile ${p} needs a ${Math.abs(1 - 2 * p)} interval; the forecast has levels ${forecast.intervals.map((i) => i.level).join(', ') || 'none'}.`,
      );
    }
    return column.slice();
  });
  const h = forecast.mean.length;
  const step = new Float64Array(columns.length);
  for (let t = 0; t < h; t++) {
    columns.forEach((c, k) => {
      step[k] = c[t];
    });
    step.sort();
    columns.forEach((c, k) => {
      c[t] = step[k];
    });
  }
  const out: Record<number, Float64Array> = {};
  sorted.forEach((p, k) => {
    out[p] = columns[k];
  });
  return out;
}

/** Levels like (1 − 0.8)/2 carry float noise (0.09999999999999998); 12 digits is ample. */
function roundLevel(p: number): number {
  return Number(p.toFixed(12));
}
