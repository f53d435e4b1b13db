/**
 * Per-series statistical models over augurs (Rust compiled to WebAssembly): automatic ETS and MSTL.
 *
 * augurs' AutoETS searches error, trend and damping but has no seasonal component, so a seasonal
 * series is first decomposed: `fitPredictAutoEts` with season m > 1 runs MSTL with the one period
 * m (STL removes the seasonal pattern, AutoETS forecasts the rest, the last season is added back),
 * which is the scheme of R's `forecast::stlf`. The model name in the result says what ran.
 *
 * History handling, in order:
 * 1. missing values as `fillMissing` documents (leading dropped, interior interpolated, trailing
 *    carried forward);
 * 2. a constant history gives that constant, with zero-width intervals, without fitting;
 * 3. periods with fewer than two full cycles in the history are dropped (STL needs two);
 * 4. fewer than 7 observations (AutoETS's minimum) or a failed fit fall back to the seasonal naive
 *    baseline (the naive one when no season fits), named "fallback:<baseline>".
 */

import { SalescastError } from '../core/errors.js';
import { AutoETS, MSTL } from './augurs-wasm.js';
import { seasonalNaive } from './baselines.js';
import { fillMissing } from './fill-missing.js';
import { type PredictionInterval, type SeriesForecast, validateForecastRequest } from './series-forecast.js';

/** augurs' AutoETS refuses shorter series ("not enough data"). */
const MIN_ETS_OBSERVATIONS = 7;

interface AugursModel {
  predict(
    horizon: number,
    level?: number | null,
  ): { point: number[]; intervals?: { lower: number[]; upper: number[] } };
  free(): void;
}

/** Point forecast from the first call, then one predict per level (augurs takes one level a call). */
function predictWithLevels(
  model: AugursModel,
  h: number,
  levels: readonly number[],
  name: string,
): SeriesForecast {
  const first = model.predict(h, levels.length > 0 ? levels[0] : null);
  const mean = Float64Array.from(first.point);
  const intervals: PredictionInterval[] = levels.map((level, k) => {
    const f = k === 0 ? first : model.predict(h, level);
    if (!f.intervals) throw new Error(`augurs returned no ${level} interval`);
    return {
      level,
      lower: Float64Array.from(f.intervals.lower),
      upper: Float64Array.from(f.intervals.upper),
    };
  });
  for (const values of [mean, ...intervals.flatMap((i) => [i.lower, i.upper])]) {
    // A diverged fit surfaces here as NaN; the caller falls back to a baseline.
    if (!values.every(Number.isFinite)) throw new Error('augurs returned a non-finite forecast');
  }
  return { model: name, mean, intervals };
}

function constantForecast(value: number, h: number, levels: readonly number[]): SeriesForecast {
  const mean = new Float64Array(h).fill(value);
  return {
    model: 'constant',
    mean,
    intervals: levels.map((level) => ({ level, lower: mean.slice(), upper: mean.slice() })),
  };
}

function isConstant(x: Float64Array): boolean {
  for (let t = 1; t < x.length; t++) if (x[t] !== x[0]) return false;
  return true;
}

function fallback(
  x: Float64Array,
  h: number,
  periods: readonly number[],
  levels: readonly number[],
): SeriesForecast {
  const season = Math.min(...periods.filter((p) => p > 1 && x.length >= p), Number.POSITIVE_INFINITY);
  const f = seasonalNaive(x, h, Number.isFinite(season) ? season : 1, levels);
  return { ...f, model: `fallback:${Number.isFinite(season) ? 'seasonal_naive' : 'naive'}` };
}

/** Fits and forecasts a gap-free, non-constant history; `periods` already usable (≥ 2 cycles). */
function fitPredict(
  x: Float64Array,
  h: number,
  periods: readonly number[],
  levels: readonly number[],
): SeriesForecast {
  if (periods.length > 0) {
    const model = MSTL.ets(Uint32Array.from(periods));
    try {
      model.fit(x);
      return predictWithLevels(model, h, levels, `mstl(${periods.join(',')})`);
    } finally {
      model.free();
    }
  }
  const model = new AutoETS(1, 'ZZZ');
  try {
    model.fit(x);
    return predictWithLevels(model, h, levels, 'ets');
  } finally {
    model.free();
  }
}

function run(
  y: Float64Array,
  h: number,
  periods: readonly number[],
  levels: readonly number[],
): SeriesForecast {
  validateForecastRequest(h, levels);
  for (const p of periods) {
    if (!Number.isInteger(p) || p < 1) {
      throw new SalescastError('INVALID_ARGUMENT', `A seasonal period must be an integer ≥ 1; got ${p}.`);
    }
  }
  const x = fillMissing(y);
  if (isConstant(x)) return constantForecast(x[0], h, levels);
  const usable = [...new Set(periods)].filter((p) => p > 1 && x.length >= 2 * p).sort((a, b) => a - b);
  if (x.length < MIN_ETS_OBSERVATIONS) return fallback(x, h, periods, levels);
  try {
    return fitPredict(x, h, usable, levels);
  } catch {
    // augurs reports a failed search ("no model found") as an exception; a per-series model over
    // thousands of series must still answer, and the model name records the fallback.
    return fallback(x, h, periods, levels);
  }
}

/**
 * Automatic ETS (augurs AutoETS, model "ZZZ" searched by AICc), seasonal through STL when
 * `season` > 1 and the history covers two seasons.
 *
 * @param y history in time order, one value per period; NaN marks a missing value
 * @param h horizon in periods
 * @param season seasonal period in periods (1 for none)
 * @param levels central interval levels in (0, 1), e.g. [0.8] for P10–P90
 */
export function fitPredictAutoEts(
  y: Float64Array,
  h: number,
  season: number,
  levels: readonly number[],
): SeriesForecast {
  return run(y, h, [season], levels);
}

/**
 * MSTL (multiple seasonal-trend decomposition by Loess) with an AutoETS trend model.
 *
 * @param periods seasonal periods in periods, e.g. [7, 365] for daily data with weekly and yearly
 *   seasonality; those without two full cycles in the history are dropped
 */
export function fitPredictMstl(
  y: Float64Array,
  h: number,
  periods: readonly number[],
  levels: readonly number[],
): SeriesForecast {
  return run(y, h, periods, levels);
}
