/**
 * Forecast accuracy metrics over typed arrays. The definitions of WAPE, MAE, RMSE, sMAPE, bias,
 * MASE, pinball loss and coverage match the acceptance scorer (`acceptance/lib/score.mjs`), so a
 * figure computed here equals the one the benchmark reports for the same rows:
 *
 * - WAPE = Σ|y − ŷ| / Σ|y|; bias = Σ(ŷ − y) / Σ|y| (positive means over-forecasting).
 * - sMAPE = mean of 2|y − ŷ| / (|y| + |ŷ|), with 0 for a row where both are 0. A fraction, not %.
 * - MAPE = mean of |y − ŷ| / |y| over rows with y ≠ 0; rows with y = 0 are skipped and counted in
 *   `mapeSkipped` (no epsilon, so the figure is never dominated by an arbitrary constant).
 * - MASE = mean over rows of |y − ŷ| / scale, where scale is the series' in-sample seasonal-naive
 *   MAE, mean |x_t − x_{t−m}|. Rows whose series has no finite, positive scale are left out.
 * - R² = 1 − SS_res / SS_tot; NaN when the actuals are constant (SS_tot = 0).
 * - pinball(α) = mean of α(y − q) when y ≥ q, else (1 − α)(q − y).
 * - coverage = share of rows with lo ≤ y ≤ hi for the outermost quantile pair; width = mean(hi − lo).
 *
 * Every metric of an empty input is NaN.
 */
import { SalescastError } from '../core/errors.js';

/** Scores of one set of rows (all series together, or one series). */
export interface Metrics {
  /** Number of scored rows. */
  readonly n: number;
  readonly wape: number;
  readonly mae: number;
  readonly rmse: number;
  /** NaN when no row has a usable in-sample scale. */
  readonly mase: number;
  readonly smape: number;
  /** Computed over rows with a non-zero actual only. */
  readonly mape: number;
  /** Rows left out of MAPE because their actual is 0. */
  readonly mapeSkipped: number;
  readonly bias: number;
  readonly r2: number;
  /** Pinball loss per quantile level, keyed by the level as given (e.g. "0.1"). */
  readonly pinball: Readonly<Record<string, number>>;
  /** Coverage of [lowest, highest] quantile; present when at least two quantiles are given. */
  readonly coverage?: number;
  /** Mean width of that interval, in units of y. */
  readonly intervalWidth?: number;
  /** The quantile levels bounding the interval, e.g. [0.1, 0.9]. */
  readonly interval?: readonly [number, number];
}

function requireSameLength(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${name}: the arrays must have the same length; got ${a.length} and ${b.length}.`,
    );
  }
}

/** Weighted absolute percentage error, Σ|y − ŷ| / Σ|y| (a fraction). */
export function wape(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('wape', y, yhat);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    err += Math.abs(y[i] - yhat[i]);
    scale += Math.abs(y[i]);
  }
  return y.length === 0 ? Number.NaN : err / scale;
}

/** Mean absolute error, in units of y. */
export function mae(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('mae', y, yhat);
  let err = 0;
  for (let i = 0; i < y.length; i++) err += Math.abs(y[i] - yhat[i]);
  return y.length === 0 ? Number.NaN : err / y.length;
}

/** Root mean squared error, in units of y. */
export function rmse(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('rmse', y, yhat);
  let err = 0;
  for (let i = 0; i < y.length; i++) err += (y[i] - yhat[i]) ** 2;
  return y.length === 0 ? Number.NaN : Math.sqrt(err / y.length);
}

/** Symmetric MAPE as a fraction in [0, 2]; a row where y and ŷ are both 0 counts as 0. */
export function smape(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('smape', y, yhat);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const d = Math.abs(y[i]) + Math.abs(yhat[i]);
    if (d > 0) sum += (2 * Math.abs(y[i] - yhat[i])) / d;
  }
  return y.length === 0 ? Number.NaN : sum / y.length;
}

/**
 * MAPE as a fraction over rows with a non-zero actual. Rows with y = 0 are skipped and counted,
 * rather than divided by an epsilon, because an epsilon makes the figure arbitrary.
 */
export function mape(y: Float64Array, yhat: Float64Array): { value: number; skipped: number } {
  requireSameLength('mape', y, yhat);
  let sum = 0;
  let skipped = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 0) skipped++;
    else sum += Math.abs((y[i] - yhat[i]) / y[i]);
  }
  const used = y.length - skipped;
  return { value: used === 0 ? Number.NaN : sum / used, skipped };
}

/** Relative bias Σ(ŷ − y) / Σ|y|: positive when the forecast is too high. */
export function bias(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('bias', y, yhat);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff += yhat[i] - y[i];
    scale += Math.abs(y[i]);
  }
  return y.length === 0 ? Number.NaN : diff / scale;
}

/** Coefficient of determination 1 − SS_res / SS_tot; NaN when y is constant. */
export function r2(y: Float64Array, yhat: Float64Array): number {
  requireSameLength('r2', y, yhat);
  if (y.length === 0) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i] - yhat[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return tot === 0 ? Number.NaN : 1 - res / tot;
}

/**
 * In-sample MAE of the seasonal-naive forecast, mean |x_t − x_{t−m}| over t ≥ m where both values
 * are known: the MASE scale of one series. NaN when no such pair exists or the naive forecast is
 * perfect (scale 0).
 *
 * @param history the series' training values, one per period of its regular grid, NaN for a gap
 *   (so that x_{t−m} is the value a season before x_t)
 * @param season m ≥ 1, in periods
 */
export function seasonalNaiveScale(history: Float64Array, season: number): number {
  if (!Number.isInteger(season) || season < 1) {
    throw new SalescastError('INVALID_ARGUMENT', `season must be an integer ≥ 1; got ${season}.`);
  }
  let sum = 0;
  let n = 0;
  for (let t = season; t < history.length; t++) {
    const d = Math.abs(history[t] - history[t - season]);
    if (Number.isFinite(d)) {
      sum += d;
      n++;
    }
  }
  return n > 0 && sum > 0 ? sum / n : Number.NaN;
}

/**
 * Mean absolute scaled error: mean of |y − ŷ| / scale over rows with a finite, positive scale.
 *
 * @param scale one scale for every row (one series), or one per row (rows of several series, each
 *   carrying its own series' scale, as `seasonalNaiveScale` gives it)
 */
export function mase(y: Float64Array, yhat: Float64Array, scale: number | Float64Array): number {
  requireSameLength('mase', y, yhat);
  if (typeof scale !== 'number') requireSameLength('mase scale', y, scale);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i];
    if (Number.isFinite(s) && s > 0) {
      sum += Math.abs(y[i] - yhat[i]) / s;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Mean pinball (quantile) loss of quantile forecast `q` at level `alpha` ∈ (0, 1). */
export function pinball(y: Float64Array, q: Float64Array, alpha: number): number {
  requireSameLength('pinball', y, q);
  if (!(alpha > 0 && alpha < 1)) {
    throw new SalescastError('INVALID_ARGUMENT', `A quantile level must be in (0, 1); got ${alpha}.`);
  }
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    sum += y[i] >= q[i] ? alpha * (y[i] - q[i]) : (1 - alpha) * (q[i] - y[i]);
  }
  return y.length === 0 ? Number.NaN : sum / y.length;
}

/** Share of rows with lower ≤ y ≤ upper (bounds inclusive). */
export function coverage(y: Float64Array, lower: Float64Array, upper: Float64Array): number {
  requireSameLength('coverage', y, lower);
  requireSameLength('coverage', y, upper);
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (y[i] >= lower[i] && y[i] <= upper[i]) inside++;
  return y.length === 0 ? Number.NaN : inside / y.length;
}

/** Mean of upper − lower, in units of y. */
export function meanIntervalWidth(lower: Float64Array, upper: Float64Array): number {
  requireSameLength('meanIntervalWidth', lower, upper);
  let sum = 0;
  for (let i = 0; i < lower.length; i++) sum += upper[i] - lower[i];
  return lower.length === 0 ? Number.NaN : sum / lower.length;
}

/** Input of `scoreForecasts`: one row per (series, date) scored. */
export interface ScoreInput {
  /** Actuals, one per row. */
  readonly y: Float64Array;
  /** Point forecasts, one per row. */
  readonly yhat: Float64Array;
  /** Quantile forecasts keyed by level in (0, 1), e.g. `{ 0.1: q10, 0.9: q90 }`; one value per row. */
  readonly quantiles?: Readonly<Record<number, Float64Array>>;
  /** Series number (0-based) of each row; every row is series 0 when absent. */
  readonly seriesIndex?: Int32Array;
  /** Training history of each series on its regular grid (NaN for a gap), indexed by series number; needed for MASE. */
  readonly insample?: readonly Float64Array[];
  /** Seasonal period m of the MASE scale; default 1. */
  readonly season?: number;
}

/** Aggregate scores over all rows and the same scores for each series. */
export interface ScoreResult {
  readonly aggregate: Metrics;
  /** Indexed by series number; a series without rows has n = 0 and NaN scores. */
  readonly perSeries: Metrics[];
}

interface QuantileColumn {
  readonly key: string;
  readonly level: number;
  readonly values: Float64Array;
}

function gather(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

function computeMetrics(
  y: Float64Array,
  yhat: Float64Array,
  quantiles: readonly QuantileColumn[],
  scale: number | Float64Array,
): Metrics {
  const m = mape(y, yhat);
  const pin: Record<string, number> = {};
  for (const q of quantiles) pin[q.key] = pinball(y, q.values, q.level);
  const base = {
    n: y.length,
    wape: wape(y, yhat),
    mae: mae(y, yhat),
    rmse: rmse(y, yhat),
    mase: mase(y, yhat, scale),
    smape: smape(y, yhat),
    mape: m.value,
    mapeSkipped: m.skipped,
    bias: bias(y, yhat),
    r2: r2(y, yhat),
    pinball: pin,
  };
  if (quantiles.length < 2) return base;
  const lo = quantiles[0];
  const hi = quantiles[quantiles.length - 1];
  return {
    ...base,
    coverage: coverage(y, lo.values, hi.values),
    intervalWidth: meanIntervalWidth(lo.values, hi.values),
    interval: [lo.level, hi.level],
  };
}

/**
 * Scores forecasts overall and per series, with the acceptance scorer's definitions. Rows of every
 * series are scored together in `aggregate` (MASE there averages each row's error scaled by its own
 * series' in-sample scale); `perSeries[s]` scores only the rows of series s.
 *
 * Throws INVALID_ARGUMENT when lengths disagree, INVALID_DATA when a value is not finite.
 */
export function scoreForecasts(input: ScoreInput): ScoreResult {
  const { y, yhat, seriesIndex, insample } = input;
  const season = input.season ?? 1;
  requireSameLength('scoreForecasts y/yhat', y, yhat);
  if (seriesIndex) requireSameLength('scoreForecasts y/seriesIndex', y, seriesIndex);
  const quantiles: QuantileColumn[] = Object.entries(input.quantiles ?? {})
    .map(([key, values]) => ({ key, level: Number(key), values }))
    .sort((a, b) => a.level - b.level);
  for (const q of quantiles) requireSameLength(`scoreForecasts quantile ${q.key}`, y, q.values);
  const columns: [string, Float64Array][] = [
    ['y', y],
    ['yhat', yhat],
    ...quantiles.map((q): [string, Float64Array] => [`q${q.key}`, q.values]),
  ];
  for (const [name, values] of columns) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new SalescastError('INVALID_DATA', `${name} is not finite at row ${i}: ${values[i]}.`);
      }
    }
  }

  let nSeries = insample?.length ?? 1;
  if (seriesIndex) {
    for (let i = 0; i < seriesIndex.length; i++) {
      if (seriesIndex[i] < 0) {
        throw new SalescastError('INVALID_ARGUMENT', `seriesIndex is negative at row ${i}.`);
      }
      nSeries = Math.max(nSeries, seriesIndex[i] + 1);
    }
  }
  const seriesOf = (i: number): number => (seriesIndex ? seriesIndex[i] : 0);
  const scales = new Float64Array(nSeries).fill(Number.NaN);
  if (insample) for (let s = 0; s < insample.length; s++) scales[s] = seasonalNaiveScale(insample[s], season);
  const rowScale = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) rowScale[i] = scales[seriesOf(i)];

  const counts = new Int32Array(nSeries);
  for (let i = 0; i < y.length; i++) counts[seriesOf(i)]++;
  const rowsOf = Array.from({ length: nSeries }, (_, s) => new Int32Array(counts[s]));
  const filled = new Int32Array(nSeries);
  for (let i = 0; i < y.length; i++) {
    const s = seriesOf(i);
    rowsOf[s][filled[s]++] = i;
  }

  const perSeries = rowsOf.map((rows, s) =>
    computeMetrics(
      gather(y, rows),
      gather(yhat, rows),
      quantiles.map((q) => ({ ...q, values: gather(q.values, rows) })),
      scales[s],
    ),
  );
  return { aggregate: computeMetrics(y, yhat, quantiles, rowScale), perSeries };
}
