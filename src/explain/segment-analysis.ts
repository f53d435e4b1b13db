/**
 * Per-store and per-product analysis: trend direction and strength, seasonality profile,
 * volatility, forecast confidence, top drivers, recent anomalies, and recommendations derived from
 * those numbers by explicit rules (each recommendation names its rule and the numbers behind it).
 */
import { dayOfWeek, monthOf, periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { Panel } from '../features/panel.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import { solveSymmetricPositive } from '../ml/linear/cholesky.js';
import type { Contributions } from './contributions.js';
import { DRIVERS, type Driver } from './drivers.js';
import { seriesMatches } from './scenario.js';
import {
  type Segment,
  type SegmentSeries,
  segmentActuals,
  segmentConditions,
  segmentSeries,
} from './segment-series.js';

export type TrendLabel = 'rising strongly' | 'rising' | 'flat' | 'falling' | 'falling strongly';
export type ConfidenceLabel = 'high' | 'medium' | 'low';

export interface TrendSummary {
  /** Growth per year of the log-linear fit, e.g. 0.12 = +12%/year. */
  readonly growthPerYear: number;
  /** t-statistic of the slope (ordinary least squares; autocorrelation makes it optimistic). */
  readonly tStat: number;
  readonly label: TrendLabel;
  /**
   * Whether the fit had an annual cycle beside the slope (a year or more of history); over a
   * shorter history a seasonal swing cannot be told apart from a trend.
   */
  readonly seasonallyAdjusted: boolean;
  /** Weeks of history the trend was fitted on. */
  readonly weeks: number;
}

/** Seasonality indices over the segment's whole history. */
export interface SeasonalityProfile {
  /** Mean units per weekday (Mon first) / overall mean; empty for weekly data. */
  readonly dayOfWeek: readonly number[];
  /** Mean units per calendar month (Jan first) / overall mean; NaN for months without data. */
  readonly month: readonly number[];
}

export interface DriverImportance {
  readonly driver: Driver;
  /** Mean |contribution| per period, units. */
  readonly meanAbs: number;
  /** Mean signed contribution per period, units. */
  readonly mean: number;
}

export interface Anomaly {
  readonly date: number;
  readonly actual: number;
  readonly fitted: number;
  /** Robust z-score of the residual: 0.6745 (r − median) / MAD. */
  readonly z: number;
}

export interface Recommendation {
  /** Stable id of the rule that produced it. */
  readonly rule: string;
  readonly text: string;
}

export interface SegmentAnalysis {
  readonly segment: Segment;
  readonly members: number;
  /** Mean observed units per period over the analysed window. */
  readonly meanUnits: number;
  readonly trend: TrendSummary;
  readonly seasonality: SeasonalityProfile;
  /** Coefficient of variation of the in-sample residuals: sd(actual − fitted) / mean(actual). */
  readonly volatility: number;
  readonly forecast?: {
    /** Forecast units over the horizon. */
    readonly total: number;
    /** Sums of the lowest and highest quantiles (e.g. P10 and P90). */
    readonly interval?: readonly [number, number];
    /** (upper − lower) / total; NaN without intervals. */
    readonly relativeWidth: number;
    readonly confidence: ConfidenceLabel | undefined;
    /** Observed units over the last `h` periods of the analysed window, for comparison. */
    readonly previous: number;
    /** Forecast periods. */
    readonly h: number;
  };
  /** By mean |contribution|, largest first. */
  readonly drivers: readonly DriverImportance[];
  /** Anomalies among the last `anomalyWindow` periods, newest first. */
  readonly anomalies: readonly Anomaly[];
  readonly recommendations: readonly Recommendation[];
}

export interface SegmentAnalysisOptions {
  /** A forecast of the history's series and the model whose output counts. */
  readonly forecast?: { readonly result: ForecastResult; readonly model: string };
  /** Periods counted as recent for anomalies; default 28 days / 8 weeks. */
  readonly anomalyWindow?: number;
  /** Robust z-score threshold; default 2.5. */
  readonly anomalyThreshold?: number;
}

/** Growth per year above which a significant trend is "strong". */
const STRONG_GROWTH = 0.1;
/** |t| below which a slope is not told apart from noise. */
const SIGNIFICANT_T = 2;
/** Relative interval widths separating high / medium / low confidence. */
const CONFIDENCE_WIDTHS: readonly [number, number] = [0.5, 1];
/** MAD → standard deviation of a normal distribution. */
const MAD_SCALE = 0.6745;

/**
 * Analyses `segment` from `history` (units) and `contributions`, the in-sample contributions of
 * the analysed window (`explainHistory`). Trend and seasonality use the whole history; volatility,
 * drivers and anomalies the analysed window. Throws INVALID_ARGUMENT when the segment has no data.
 */
export function analyzeSegment(
  segment: Segment,
  history: Panel,
  contributions: Contributions,
  options: SegmentAnalysisOptions = {},
): SegmentAnalysis {
  const series = segmentSeries(segment, history, contributions);
  if (series.dates.length < 2) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `the ${segment.kind}${segment.id ? ` '${segment.id}'` : ''} has no observed periods in the analysed window.`,
      { field: segment.kind },
    );
  }
  const period = periodDays(history.freq);
  const observed = series.actual.filter((v) => !Number.isNaN(v));
  const meanUnits = mean(observed);
  const full = segmentActuals(segment, history);
  const trend = trendOf(full, period);
  const seasonality = seasonalityOf(full, period);
  const residuals = residualsOf(series);
  const volatility = meanUnits > 0 ? sd(residuals.values) / meanUnits : Number.NaN;
  const drivers = driverImportance(series);
  const window = options.anomalyWindow ?? (period === 7 ? 8 : 28);
  const anomalies = anomaliesOf(series, residuals, window, options.anomalyThreshold ?? 2.5);
  const forecast =
    options.forecast && forecastSummary(segment, series, options.forecast.result, options.forecast.model);
  const analysis = {
    segment,
    members: series.members.length,
    meanUnits,
    trend,
    seasonality,
    volatility,
    forecast,
    drivers,
    anomalies,
  };
  return { ...analysis, recommendations: recommend(analysis) };
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length > 0 ? s / values.length : Number.NaN;
}

function sd(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return values.length > 1 ? Math.sqrt(s / (values.length - 1)) : Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

type Actuals = { readonly dates: Int32Array; readonly actual: Float64Array };

/** Weeks in a year, for the annual cycle of the trend fit. */
const WEEKS_PER_YEAR = 365.25 / 7;

/**
 * Log-linear trend: OLS of log(1 + units per week) on time in weeks, with an annual cycle (one
 * sine/cosine pair) when there is a year or more of history, so that a seasonal swing is not read
 * as a trend. Daily data is summed into whole weeks first, so the weekday cycle does not inflate
 * the residual variance; weeks observed on fewer periods are scaled up to a whole week.
 */
function trendOf(series: Actuals, period: number): TrendSummary {
  const perWeek = 7 / period;
  const buckets = new Map<number, { sum: number; n: number }>();
  const first = series.dates[0];
  series.dates.forEach((d, i) => {
    const w = Math.floor((d - first) / 7);
    const b = buckets.get(w) ?? { sum: 0, n: 0 };
    b.sum += series.actual[i];
    b.n++;
    buckets.set(w, b);
  });
  const points = [...buckets].map(([w, b]) => [w, Math.log1p((b.sum / b.n) * perWeek)] as const);
  const n = points.length;
  const weeks = n === 0 ? 0 : points[n - 1][0] - points[0][0] + 1;
  const seasonallyAdjusted = weeks >= WEEKS_PER_YEAR;
  const k = seasonallyAdjusted ? 4 : 2;
  if (n < k + 2) return { growthPerYear: 0, tStat: 0, label: 'flat', seasonallyAdjusted, weeks };
  const row = (x: number) => {
    const angle = (2 * Math.PI * x) / WEEKS_PER_YEAR;
    return seasonallyAdjusted ? [1, x, Math.sin(angle), Math.cos(angle)] : [1, x];
  };
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k);
  for (const [x, y] of points) {
    const r = row(x);
    for (let i = 0; i < k; i++) {
      xty[i] += r[i] * y;
      for (let j = 0; j < k; j++) xtx[i * k + j] += r[i] * r[j];
    }
  }
  const beta = solveSymmetricPositive(xtx, xty, k);
  let sse = 0;
  for (const [x, y] of points) {
    const r = row(x);
    let fit = 0;
    for (let i = 0; i < k; i++) fit += r[i] * beta[i];
    sse += (y - fit) ** 2;
  }
  const unit = new Float64Array(k);
  unit[1] = 1;
  const slopeVariance = (sse / (n - k)) * solveSymmetricPositive(xtx, unit, k)[1];
  const slope = beta[1];
  const tStat = slopeVariance > 0 ? slope / Math.sqrt(slopeVariance) : 0;
  const growthPerYear = Math.expm1(slope * WEEKS_PER_YEAR);
  const significant = Math.abs(tStat) >= SIGNIFICANT_T;
  const label: TrendLabel = !significant
    ? 'flat'
    : growthPerYear >= STRONG_GROWTH
      ? 'rising strongly'
      : growthPerYear > 0
        ? 'rising'
        : growthPerYear <= -STRONG_GROWTH
          ? 'falling strongly'
          : 'falling';
  return { growthPerYear, tStat, label, seasonallyAdjusted, weeks };
}

function seasonalityOf(series: Actuals, period: number): SeasonalityProfile {
  const index = (key: (d: number) => number, size: number) => {
    const sum = new Float64Array(size);
    const n = new Float64Array(size);
    let total = 0;
    let count = 0;
    series.dates.forEach((d, i) => {
      const v = series.actual[i];
      if (Number.isNaN(v)) return;
      sum[key(d)] += v;
      n[key(d)]++;
      total += v;
      count++;
    });
    const overall = total / count;
    return Array.from(sum, (s, k) => (n[k] > 0 && overall > 0 ? s / n[k] / overall : Number.NaN));
  };
  return {
    dayOfWeek: period === 1 ? index(dayOfWeek, 7) : [],
    month: index((d) => monthOf(d) - 1, 12),
  };
}

function residualsOf(series: SegmentSeries): { index: number[]; values: number[] } {
  const index: number[] = [];
  const values: number[] = [];
  series.actual.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    index.push(i);
    values.push(v - series.fitted[i]);
  });
  return { index, values };
}

function driverImportance(series: SegmentSeries): DriverImportance[] {
  const nd = DRIVERS.length;
  const n = series.dates.length;
  return DRIVERS.map((driver, k) => {
    let abs = 0;
    let signed = 0;
    for (let i = 0; i < n; i++) {
      const v = series.byDriver[i * nd + k];
      abs += Math.abs(v);
      signed += v;
    }
    return { driver, meanAbs: abs / n, mean: signed / n };
  })
    .filter((d) => d.meanAbs > 0)
    .sort((a, b) => b.meanAbs - a.meanAbs);
}

/** Residuals whose robust z-score exceeds `threshold`, among the last `window` periods. */
function anomaliesOf(
  series: SegmentSeries,
  residuals: { index: number[]; values: number[] },
  window: number,
  threshold: number,
): Anomaly[] {
  if (residuals.values.length < 3) return [];
  const med = median(residuals.values);
  const mad = median(residuals.values.map((r) => Math.abs(r - med)));
  if (mad === 0) return [];
  const firstRecent = series.dates.length - window;
  const out: Anomaly[] = [];
  residuals.index.forEach((i, k) => {
    if (i < firstRecent) return;
    const z = (MAD_SCALE * (residuals.values[k] - med)) / mad;
    if (Math.abs(z) > threshold)
      out.push({ date: series.dates[i], actual: series.actual[i], fitted: series.fitted[i], z });
  });
  return out.reverse();
}

function forecastSummary(
  segment: Segment,
  series: SegmentSeries,
  result: ForecastResult,
  model: string,
): SegmentAnalysis['forecast'] {
  const out = result.models[model];
  if (!out)
    throw new SalescastError('INVALID_ARGUMENT', `the forecast has no model '${model}'.`, { field: 'model' });
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  const cond = segmentConditions(segment);
  let total = 0;
  let lower = 0;
  let upper = 0;
  result.seriesIds.forEach((id, s) => {
    if (!seriesMatches(id, cond)) return;
    for (let k = 0; k < result.h; k++) {
      const i = s * result.h + k;
      total += out.yhat[i];
      if (levels.length >= 2) {
        lower += out.quantiles.get(levels[0])![i];
        upper += out.quantiles.get(levels[levels.length - 1])![i];
      }
    }
  });
  let previous = 0;
  for (let i = Math.max(0, series.dates.length - result.h); i < series.dates.length; i++)
    if (!Number.isNaN(series.actual[i])) previous += series.actual[i];
  const h = result.h;
  if (levels.length < 2) return { total, relativeWidth: Number.NaN, confidence: undefined, previous, h };
  const relativeWidth = total > 0 ? (upper - lower) / total : Number.NaN;
  const confidence: ConfidenceLabel =
    relativeWidth < CONFIDENCE_WIDTHS[0] ? 'high' : relativeWidth < CONFIDENCE_WIDTHS[1] ? 'medium' : 'low';
  return { total, interval: [lower, upper], relativeWidth, confidence, previous, h };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The recommendation rules, in order; each fires on the numbers of the analysis alone. */
function recommend(a: Omit<SegmentAnalysis, 'recommendations'>): Recommendation[] {
  const out: Recommendation[] = [];
  const { trend } = a;
  // A trend fitted on less than a year may be a seasonal swing: no trend rule fires on it.
  const falling = trend.label === 'falling strongly' || trend.label === 'falling';
  if (trend.seasonallyAdjusted && falling) {
    out.push({
      rule: 'trend-falling',
      text: `Sales are ${trend.label} (${pct(trend.growthPerYear)} a year, t = ${trend.tStat.toFixed(1)}): review price position, range and visibility before reordering at past volumes.`,
    });
  } else if (trend.seasonallyAdjusted && trend.label === 'rising strongly') {
    out.push({
      rule: 'trend-rising',
      text: `Sales are rising strongly (+${pct(trend.growthPerYear)} a year, t = ${trend.tStat.toFixed(1)}): raise order quantities and safety stock in line with the trend.`,
    });
  }
  const top = a.drivers.filter((d) => d.driver !== 'trend' && d.driver !== 'product' && d.driver !== 'store');
  const share = (d: DriverImportance) => d.meanAbs / a.meanUnits;
  for (const d of top.slice(0, 2)) {
    if (!(share(d) >= 0.1)) continue;
    if (d.driver === 'price') {
      out.push({
        rule: 'price-sensitive',
        text: `Price moves sales by ${d.meanAbs.toFixed(1)} units per period on average (${pct(share(d))} of sales): test discount depths with a what-if scenario before the next price change.`,
      });
    } else if (d.driver === 'promotion') {
      out.push({
        rule: 'promotion-driven',
        text: `Promotions move sales by ${d.meanAbs.toFixed(1)} units per period on average (${pct(share(d))} of sales): plan stock for promotion periods and compare mechanics by their lift.`,
      });
    } else if (d.driver === 'weather') {
      out.push({
        rule: 'weather-sensitive',
        text: `Weather moves sales by ${d.meanAbs.toFixed(1)} units per period on average (${pct(share(d))} of sales): use the weather forecast when placing short-term orders.`,
      });
    }
  }
  const dow = a.seasonality.dayOfWeek;
  if (dow.length === 7) {
    const peak = dow.indexOf(Math.max(...dow));
    const trough = dow.indexOf(Math.min(...dow));
    if (dow[peak] / dow[trough] >= 1.3) {
      out.push({
        rule: 'weekday-peak',
        text: `${WEEKDAYS[peak]} sells ${pct(dow[peak] - 1)} above the average day and ${WEEKDAYS[trough]} ${pct(1 - dow[trough])} below: deliver and staff ahead of ${WEEKDAYS[peak]}.`,
      });
    }
  }
  if (a.forecast?.confidence === 'low') {
    out.push({
      rule: 'low-confidence',
      text: `The forecast is uncertain (the P10–P90 band spans ${pct(a.forecast.relativeWidth)} of the forecast): keep higher safety stock and review orders more often.`,
    });
  }
  const drops = a.anomalies.filter((x) => x.z < 0);
  if (drops.length > 0) {
    out.push({
      rule: 'recent-drops',
      text: `${drops.length} recent period${drops.length > 1 ? 's' : ''} sold well below the model's expectation: check stock availability and data feeds for those dates.`,
    });
  }
  if (a.volatility > 0.5) {
    out.push({
      rule: 'volatile',
      text: `Sales are volatile (residual variation ${pct(a.volatility)} of the mean): order in smaller, more frequent batches.`,
    });
  }
  return out;
}
