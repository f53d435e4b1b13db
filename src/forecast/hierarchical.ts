/**
 * Coherent forecasts over the store × product hierarchy. The bottom series (ids `store/product`)
 * are forecast by the configured forecaster with all their drivers; the aggregates (total, each
 * store, each product) by the same configuration on their summed histories, with calendar features
 * only. `hierarchy.ts` then reconciles all base forecasts (bottom-up, OLS, WLS or MinT-shrink, whose
 * covariance comes from backtest residuals of every node), so that every aggregate equals the sum
 * of its bottom series. Quantiles move with their point forecast. Sales that were never negative
 * are not forecast negative at any node.
 */
import { SalescastError } from '../core/errors.js';
import { type Panel, seriesCount, targetNeverNegative } from '../features/panel.js';
import { Forecaster, type ForecasterOptions, type ModelOutput } from './forecaster.js';
import {
  aggregateBottom,
  type BottomSeries,
  buildHierarchy,
  type Hierarchy,
  type ReconciliationMethod,
  reconcile,
} from './hierarchy.js';

export interface HierarchicalOptions {
  readonly h: number;
  readonly method: ReconciliationMethod;
  /** The forecast to reconcile: a model name of the forecaster (e.g. 'ensemble'). */
  readonly model: string;
  readonly future?: Panel;
  /** Backtest windows giving MinT its residuals; default 2. */
  readonly residualWindows?: number;
}

export interface HierarchicalForecast {
  readonly hierarchy: Hierarchy;
  /** Node labels ("total", "store:<id>", "product:<id>", then the bottom ids), one per node. */
  readonly labels: readonly string[];
  readonly h: number;
  /** Day number of each step (the same for every node). */
  readonly dates: Int32Array;
  /** Coherent forecasts, node-major (nNodes × h), with quantiles shifted alike. */
  readonly forecast: ModelOutput;
}

/** The bottom series of a panel whose ids are `store/product`. */
export function bottomSeries(panel: Panel): BottomSeries[] {
  return panel.seriesIds.map((id) => {
    const cut = id.indexOf('/');
    if (cut <= 0 || cut === id.length - 1) {
      throw new SalescastError(
        'INVALID_DATA',
        `reconciliation needs store × product series (ids 'store/product'); got '${id}'.`,
        { field: 'series_id' },
      );
    }
    return { id, store: id.slice(0, cut), product: id.slice(cut + 1) };
  });
}

/**
 * The aggregate nodes' histories (total, stores, products) as a panel without drivers: each date's
 * sum over the bottom series observed on that date.
 */
export function aggregatePanel(panel: Panel, hierarchy: Hierarchy): Panel {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < seriesCount(panel); s++) {
    first = Math.min(first, panel.dates[panel.offsets[s]]);
    last = Math.max(last, panel.dates[panel.offsets[s + 1] - 1]);
  }
  const step = panel.freq === 'week' ? 7 : 1;
  const len = (last - first) / step + 1;
  const nAgg = hierarchy.nAggregates;
  const y = new Float64Array(nAgg * len).fill(Number.NaN);
  const add = (node: number, t: number, v: number) => {
    const r = node * len + t;
    y[r] = Number.isNaN(y[r]) ? v : y[r] + v;
  };
  for (let b = 0; b < hierarchy.nBottom; b++) {
    for (let r = panel.offsets[b]; r < panel.offsets[b + 1]; r++) {
      const v = panel.y[r];
      if (Number.isNaN(v)) continue;
      const t = (panel.dates[r] - first) / step;
      add(0, t, v);
      add(1 + hierarchy.storeOf[b], t, v);
      add(1 + hierarchy.stores.length + hierarchy.productOf[b], t, v);
    }
  }
  const offsets = Int32Array.from({ length: nAgg + 1 }, (_, i) => i * len);
  const dates = Int32Array.from({ length: nAgg * len }, (_, r) => first + (r % len) * step);
  return {
    freq: panel.freq,
    seriesIds: hierarchy.labels.slice(0, nAgg),
    offsets,
    dates,
    y,
    exog: {},
  };
}

/**
 * Forecasts every node of the hierarchy and reconciles them with `options.method`. The bottom
 * series must all end on the same date (one forecast origin).
 */
export function hierarchicalForecast(
  panel: Panel,
  forecasterOptions: ForecasterOptions,
  options: HierarchicalOptions,
): HierarchicalForecast {
  const { h, method, model } = options;
  const hierarchy = buildHierarchy(bottomSeries(panel));
  const aggregates = aggregatePanel(panel, hierarchy);
  const bottomForecaster = new Forecaster(forecasterOptions).fit(panel, { h });
  const aggregateForecaster = new Forecaster({ ...forecasterOptions, exog: [] }).fit(aggregates, { h });
  const bottom = bottomForecaster.predict(h, { future: options.future });
  const top = aggregateForecaster.predict(h);
  const end = top.dates[h - 1];
  for (let s = 0; s < bottom.seriesIds.length; s++) {
    if (bottom.dates[s * h + h - 1] !== end) {
      throw new SalescastError(
        'INVALID_DATA',
        `reconciliation needs every series to end on the same date; '${bottom.seriesIds[s]}' does not.`,
      );
    }
  }
  const pick = (name: string) => {
    const a = top.models[name];
    const b = bottom.models[name];
    if (!a || !b) throw new SalescastError('INVALID_ARGUMENT', `no forecast named '${name}' to reconcile.`);
    return [a, b] as const;
  };
  const [topOut, bottomOut] = pick(model);
  const base = concat(topOut.yhat, bottomOut.yhat);
  let residuals: Float64Array | undefined;
  let nObs: number | undefined;
  if (method === 'mint_shrink') {
    const windows = options.residualWindows ?? 2;
    nObs = windows * h;
    residuals = concat(
      backtestResiduals(aggregateForecaster, aggregates, h, windows, model),
      backtestResiduals(bottomForecaster, panel, h, windows, model),
    );
  }
  let coherent = reconcile(hierarchy, base, h, { method, residuals, nObs }).forecasts;
  // Reconciliation spreads each aggregate's disagreement over its bottom series, and can take a
  // series that sells nothing below zero. When no sale in the history is negative, negative bottom
  // forecasts become 0 and the aggregates are summed again, so that they stay coherent (the
  // set-negatives-to-zero heuristic Wickramasuriya, Turlach & Hyndman (2020) compare with the
  // constrained solution, which costs a quadratic programme).
  const nonNegative = targetNeverNegative(panel);
  if (nonNegative) {
    const bottomPart = coherent.slice(hierarchy.nAggregates * h);
    coherent = aggregateBottom(
      hierarchy,
      bottomPart.map((v) => Math.max(0, v)),
      h,
    );
  }
  const quantiles = new Map<number, Float64Array>();
  for (const [q, topQ] of topOut.quantiles) {
    const shifted = concat(topQ, bottomOut.quantiles.get(q)!);
    for (let i = 0; i < shifted.length; i++) {
      shifted[i] += coherent[i] - base[i];
      if (nonNegative && shifted[i] < 0) shifted[i] = 0;
    }
    quantiles.set(q, shifted);
  }
  return {
    hierarchy,
    labels: hierarchy.labels,
    h,
    dates: top.dates.slice(0, h),
    forecast: { yhat: coherent, quantiles },
  };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Series-major residuals (nSeries × windows·h) of `model` in a backtest of `panel`; 0 where a
 * series has no actual for a row.
 */
function backtestResiduals(
  forecaster: Forecaster,
  panel: Panel,
  h: number,
  windows: number,
  model: string,
): Float64Array {
  const inner = new Forecaster({ ...forecaster.options, quantiles: [] });
  const cv = inner.crossValidation(panel, { h, nWindows: windows });
  const cutoffs = [...new Set(cv.cutoff)].sort((a, b) => a - b);
  const nObs = windows * h;
  const out = new Float64Array(seriesCount(panel) * nObs);
  const yhat = cv.models[model].yhat;
  for (let i = 0; i < cv.y.length; i++) {
    const w = cutoffs.indexOf(cv.cutoff[i]) + (windows - cutoffs.length);
    out[cv.series[i] * nObs + w * h + cv.step[i]] = cv.y[i] - yhat[i];
  }
  return out;
}
