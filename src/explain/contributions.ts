/**
 * Per-forecast contributions: TreeSHAP values (or a linear model's exact contributions) of a
 * forecaster's global model, on the rows of a timeline, converted to units and grouped into
 * business drivers.
 *
 * Units: the learner works on the target-transformed scale (e.g. each series divided by its level)
 * and, for log-link losses, on the log of that. Each row's gap between the prediction in units
 * and the base in units (the model's expected value mapped to units for that series) is split
 * among the features in proportion to their raw-scale values, as `toResponseScale` does. For an
 * identity link and a linear transform such as the level scaling that is exact; for log links
 * and log1p it is a convention that keeps signs, ranking and additivity
 * (base + Σ contributions = prediction). Log-link models also report each driver's multiplicative
 * effect exp(raw value). A price-response transform (a row factor, not a series scale) adds one more
 * contribution, `price_response` (price driver): the prediction in units times (factor − 1).
 */
import { formatDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import {
  computeOnline,
  type FeatureDefinition,
  matrixMeta,
  numericExog,
  type SeriesView,
  seriesView,
} from '../features/definition.js';
import { extendPanel, type Panel, seriesCount } from '../features/panel.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import { applyTransforms, invertTransforms } from '../forecast/target-transforms.js';
import { type FeatureMatrix, type Regressor, shapValues, type TreeEnsembleView } from '../ml/index.js';
import { DRIVERS, type Driver, groupByDriver } from './drivers.js';
import type { FittedGlobal, ForecasterInternals } from './forecaster-internals.js';

/** The contribution of a forecaster's price-response transform (see `src/forecast/price-response.ts`). */
export const PRICE_RESPONSE = 'price_response';

/** Contributions of a set of rows (row-major arrays: nRows × nFeatures or nRows × DRIVERS). */
export interface Contributions {
  readonly seriesIds: readonly string[];
  /** Index into `seriesIds` per row. */
  readonly series: Int32Array;
  /** Day number per row. */
  readonly dates: Int32Array;
  /** Model prediction per row, units. */
  readonly prediction: Float64Array;
  /** Expected prediction of the model for the row's series, units. */
  readonly base: Float64Array;
  readonly featureNames: readonly string[];
  /** Per feature, units; base + Σ = prediction. */
  readonly values: Float64Array;
  /** Per driver (DRIVERS order), units. */
  readonly byDriver: Float64Array;
  readonly link: 'identity' | 'log';
  /** Per driver on the model's raw scale (log scale for log links: exp gives the multiplier). */
  readonly rawByDriver: Float64Array;
  /**
   * max over rows of |raw base + Σ raw values − learner prediction (log of it for log links)|: the
   * additivity check of the SHAP values in the model's own space.
   */
  readonly maxAdditivityError: number;
}

interface RawContributions {
  readonly values: Float64Array;
  readonly expectedValue: number;
  readonly link: 'identity' | 'log';
}

type TreeLearner = Regressor & { treeEnsemble(): TreeEnsembleView };
type LinearLearner = Regressor & {
  contributions(X: FeatureMatrix): { values: Float64Array; expectedValue: number };
};

function isTree(learner: Regressor): learner is TreeLearner {
  return typeof (learner as Partial<TreeLearner>).treeEnsemble === 'function';
}

function isLinear(learner: Regressor): learner is LinearLearner {
  return typeof (learner as Partial<LinearLearner>).contributions === 'function';
}

/** Raw-scale contributions of `learner` on `X`: TreeSHAP for tree ensembles, exact for linear ones. */
export function rawContributions(learner: Regressor, X: FeatureMatrix): RawContributions {
  if (isTree(learner)) {
    const ensemble = learner.treeEnsemble();
    const shap = shapValues(ensemble, X);
    return { values: shap.values, expectedValue: shap.expectedValue, link: ensemble.link };
  }
  if (isLinear(learner)) return { ...learner.contributions(X), link: 'identity' };
  throw new SalescastError(
    'INVALID_ARGUMENT',
    `a ${learner.name} model cannot be explained: only tree ensembles and linear models have contributions.`,
  );
}

/** The fitted global model `name`, or INVALID_ARGUMENT naming the explainable ones. */
export function globalModelOf(internals: ForecasterInternals, name: string): FittedGlobal {
  const fitted = internals.models.get(name);
  if (!fitted) {
    const known = [...internals.models.keys()].join(', ') || 'none';
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `model '${name}' has no learner to explain (explainable models: ${known}).`,
      { field: 'model' },
    );
  }
  return fitted;
}

/**
 * The feature rows `rows` of `timeline` (target-transformed; forecast rows hold the forecasts,
 * which recursive features read as lags). Panel-level columns (target encodings) are prepared from
 * `observed`, the same timeline without forecasts, as the forecaster prepared them.
 */
function featureRows(
  timeline: Panel,
  observed: Panel,
  defs: readonly FeatureDefinition[],
  rows: Int32Array,
): FeatureMatrix {
  const exog = numericExog(observed, defs);
  const n = rows.length;
  const data = new Float64Array(n * defs.length);
  const row = new Float64Array(defs.length);
  let s = 0;
  let view: SeriesView | undefined;
  for (let i = 0; i < n; i++) {
    while (rows[i] >= timeline.offsets[s + 1]) {
      s++;
      view = undefined;
    }
    view ??= seriesView(timeline, s, exog);
    computeOnline(view, rows[i] - timeline.offsets[s], defs, row);
    for (let j = 0; j < defs.length; j++) data[j * n + i] = row[j];
  }
  return matrixMeta(data, n, defs);
}

/**
 * Contributions of model `model` on rows `rows` (ascending within each series, series in panel
 * order) of `timeline`, a panel in units whose target holds actuals and, on forecast rows, the
 * forecasts. `observed` is the timeline without the forecasts (default: `timeline` itself).
 */
export function explainRows(
  internals: ForecasterInternals,
  model: string,
  timeline: Panel,
  rows: Int32Array,
  observed: Panel = timeline,
): Contributions {
  const fitted = globalModelOf(internals, model);
  const transformed = applyTransforms(timeline, internals.transforms, false);
  const X = featureRows(
    transformed,
    observed === timeline ? transformed : applyTransforms(observed, internals.transforms, false),
    fitted.features,
    rows,
  );
  const raw = rawContributions(fitted.learner, X);
  const rawPrediction = fitted.learner.predict(X);
  const p = X.nCols;
  const n = rows.length;
  // A transform with a row factor (the price response) is reported as one more contribution,
  // `price_response`: the learner's part is mapped to units without it, then the factor scales it.
  const rowFactors = internals.transforms.filter((t) => t.rowFactor);
  const unitTransforms = internals.transforms.filter((t) => !t.rowFactor);
  const names = [...(X.names ?? []), ...(rowFactors.length > 0 ? [PRICE_RESPONSE] : [])];
  const width = names.length;

  const series = new Int32Array(n);
  for (let i = 0, s = 0; i < n; i++) {
    while (rows[i] >= timeline.offsets[s + 1]) s++;
    series[i] = s;
  }
  const dates = Int32Array.from(rows, (r) => timeline.dates[r]);
  const prediction = new Float64Array(n);
  const base = new Float64Array(n);
  const values = new Float64Array(n * width);
  const rawValues = new Float64Array(n * width);
  const toUnits = (i: number, rawValue: number) => {
    const v = Float64Array.of(raw.link === 'log' ? Math.exp(rawValue) : rawValue);
    invertTransforms(unitTransforms, v, { panel: timeline, series: series[i], first: rows[i] });
    return v[0];
  };
  let maxAdditivityError = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < p; j++) {
      sum += raw.values[i * p + j];
      rawValues[i * width + j] = raw.values[i * p + j];
    }
    const predicted = raw.link === 'log' ? Math.log(rawPrediction[i]) : rawPrediction[i];
    maxAdditivityError = Math.max(maxAdditivityError, Math.abs(raw.expectedValue + sum - predicted));
    base[i] = toUnits(i, raw.expectedValue);
    const learnerUnits = toUnits(i, raw.expectedValue + sum);
    let factor = 1;
    for (const t of rowFactors) factor *= t.rowFactor!(timeline, rows[i]);
    prediction[i] = factor * learnerUnits;
    if (rowFactors.length > 0) {
      values[i * width + p] = (factor - 1) * learnerUnits;
      rawValues[i * width + p] = raw.link === 'log' ? Math.log(factor) : (factor - 1) * predicted;
    }
    if (sum === 0) continue;
    const gap = learnerUnits - base[i];
    for (let j = 0; j < p; j++) values[i * width + j] = (gap * raw.values[i * p + j]) / sum;
  }
  return {
    seriesIds: timeline.seriesIds,
    series,
    dates,
    prediction,
    base,
    featureNames: names,
    values,
    byDriver: groupByDriver(values, names),
    link: raw.link,
    rawByDriver: groupByDriver(rawValues, names),
    maxAdditivityError,
  };
}

/**
 * Contributions of a forecast: `forecast` came from `predict(h, { history, future })` of the
 * forecaster whose internals are given; model `model` must be one of its global models.
 */
export function explainForecast(
  internals: ForecasterInternals,
  model: string,
  forecast: ForecastResult,
  data: { readonly history: Panel; readonly future?: Panel },
): Contributions {
  const out = forecast.models[model];
  if (!out) throw new SalescastError('INVALID_ARGUMENT', `the forecast has no model '${model}'.`);
  const h = forecast.h;
  const observed = extendPanel(data.history, h, data.future, internals.knownDrivers);
  const y = Float64Array.from(observed.y);
  const timeline: Panel = { ...observed, y };
  const rows = new Int32Array(seriesCount(timeline) * h);
  for (let s = 0; s < seriesCount(timeline); s++) {
    const start = timeline.offsets[s + 1] - h;
    for (let k = 0; k < h; k++) {
      y[start + k] = out.yhat[s * h + k];
      rows[s * h + k] = start + k;
    }
  }
  return explainRows(internals, model, timeline, rows, observed);
}

/**
 * In-sample contributions of `model` on the observed rows of `history` dated `from`..`to`
 * (day numbers, inclusive; default the whole history): what the model attributes past sales to.
 */
export function explainHistory(
  internals: ForecasterInternals,
  model: string,
  history: Panel,
  range: { readonly from?: number; readonly to?: number } = {},
): Contributions {
  const rows: number[] = [];
  const from = range.from ?? Number.NEGATIVE_INFINITY;
  const to = range.to ?? Number.POSITIVE_INFINITY;
  for (let r = 0; r < history.y.length; r++) {
    if (!Number.isNaN(history.y[r]) && history.dates[r] >= from && history.dates[r] <= to) rows.push(r);
  }
  return explainRows(internals, model, history, Int32Array.from(rows));
}

/** One explained row in JSON shape (API responses, CLI `--json`). */
export interface DriverRow {
  readonly seriesId: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly prediction: number;
  readonly base: number;
  /** Units per driver (zero drivers omitted). */
  readonly drivers: Partial<Record<Driver, number>>;
  /** Multiplicative effect per driver, for log-link models. */
  readonly multipliers?: Partial<Record<Driver, number>>;
}

/** The rows of `c` as plain objects, per driver. */
/** What a row-by-row driver breakdown reads of contributions (an ensemble's weighted ones too). */
export type DriverContributions = Pick<
  Contributions,
  'seriesIds' | 'series' | 'dates' | 'prediction' | 'base' | 'byDriver' | 'link' | 'rawByDriver'
>;

export function driverRows(c: DriverContributions): DriverRow[] {
  const nd = DRIVERS.length;
  return Array.from(c.prediction, (prediction, i) => {
    const drivers: Partial<Record<Driver, number>> = {};
    const multipliers: Partial<Record<Driver, number>> = {};
    DRIVERS.forEach((d, k) => {
      if (c.byDriver[i * nd + k] !== 0) drivers[d] = c.byDriver[i * nd + k];
      if (c.link === 'log' && c.rawByDriver[i * nd + k] !== 0)
        multipliers[d] = Math.exp(c.rawByDriver[i * nd + k]);
    });
    return {
      seriesId: c.seriesIds[c.series[i]],
      date: formatDay(c.dates[i]),
      prediction,
      base: c.base[i],
      drivers,
      ...(c.link === 'log' ? { multipliers } : {}),
    };
  });
}
