/**
 * The feature engine. A feature is defined once, as a function of one series' timeline evaluated at
 * chosen positions. The batch path (a whole training panel) evaluates it at every row; the online
 * path (one new observation) evaluates it at the single new position of a series whose history
 * is extended by that observation. Both call the same `compute`, so training and serving cannot
 * disagree.
 */
import type { Frequency } from '../core/dates.js';
import type { FeatureMatrix } from '../ml/estimator.js';
import { isCategorical, type Panel, seriesCount } from './panel.js';

/** One series' timeline as seen by a feature: views into the panel's arrays (no copies). */
export interface SeriesView {
  /** Index of the series in its panel. */
  readonly series: number;
  /** The series identifier (static features key on it, so codes survive a reordered panel). */
  readonly id: string;
  readonly freq: Frequency;
  readonly dates: Int32Array;
  /** NaN where unknown; positions at and after a forecast origin hold predictions or NaN. */
  readonly y: Float64Array;
  /** Every exogenous column as numbers: categorical codes, NaN = missing. */
  readonly exog: Readonly<Record<string, Float64Array>>;
}

export interface FeatureDefinition {
  /** Stable name, derived from the definition's parameters (documented in docs/FEATURES.md). */
  readonly name: string;
  /** True when the values are category codes (trees split them as sets). */
  readonly categorical: boolean;
  /**
   * The smallest lag (in periods) of the target this feature reads: its value at position `t` uses
   * `y[0 .. t - minLag]` only. `Infinity` for features that never read the target.
   */
  readonly minLag: number;
  /** Writes the value at each position `at[k]` (ascending) into `out[k]`. */
  compute(series: SeriesView, at: Int32Array, out: Float64Array): void;
  /**
   * Panel-level columns the feature reads through `series.exog` (one value per panel row), for
   * statistics across series such as target encodings. Run once per panel, before `compute`.
   */
  prepare?(panel: Panel): Record<string, Float64Array>;
}

/**
 * Numeric views of a panel's exogenous columns (categorical codes become floats, -1 → NaN) plus the
 * columns the definitions prepare, made once per panel so that per-series views are subarrays.
 */
export function numericExog(
  panel: Panel,
  defs: readonly FeatureDefinition[] = [],
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const def of defs) if (def.prepare) Object.assign(out, def.prepare(panel));
  for (const [name, col] of Object.entries(panel.exog)) {
    if (isCategorical(col)) {
      const f = new Float64Array(col.codes.length);
      for (let i = 0; i < f.length; i++) f[i] = col.codes[i] < 0 ? Number.NaN : col.codes[i];
      out[name] = f;
    } else out[name] = col;
  }
  return out;
}

/** The view of series `s` of `panel`, given the panel's numeric exogenous columns. */
export function seriesView(
  panel: Panel,
  s: number,
  exog: Readonly<Record<string, Float64Array>>,
): SeriesView {
  const a = panel.offsets[s];
  const b = panel.offsets[s + 1];
  const ex: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(exog)) ex[name] = col.subarray(a, b);
  return {
    series: s,
    id: panel.seriesIds[s],
    freq: panel.freq,
    dates: panel.dates.subarray(a, b),
    y: panel.y.subarray(a, b),
    exog: ex,
  };
}

/**
 * Batch path: the feature matrix of the panel rows selected by `rows` (panel row indices, ascending
 * within each series), column-major, one column per definition.
 */
export function computeBatch(
  panel: Panel,
  defs: readonly FeatureDefinition[],
  rows: Int32Array,
): FeatureMatrix {
  const nRows = rows.length;
  const data = new Float64Array(nRows * defs.length);
  const exog = numericExog(panel, defs);
  let k = 0;
  const tmp = new Float64Array(nRows);
  for (let s = 0; s < seriesCount(panel) && k < nRows; s++) {
    const a = panel.offsets[s];
    const b = panel.offsets[s + 1];
    let end = k;
    while (end < nRows && rows[end] >= a && rows[end] < b) end++;
    if (end === k) continue;
    const at = new Int32Array(end - k);
    for (let i = k; i < end; i++) at[i - k] = rows[i] - a;
    const view = seriesView(panel, s, exog);
    const out = tmp.subarray(0, at.length);
    for (let j = 0; j < defs.length; j++) {
      defs[j].compute(view, at, out);
      data.set(out, j * nRows + k);
    }
    k = end;
  }
  if (k !== nRows) throw new RangeError('rows must be grouped by series in panel order');
  return matrixMeta(data, nRows, defs);
}

/**
 * Online path: the feature row at position `position` of one series (typically its newest
 * observation), written into `out` (length = number of definitions).
 */
export function computeOnline(
  view: SeriesView,
  position: number,
  defs: readonly FeatureDefinition[],
  out: Float64Array,
): void {
  const at = Int32Array.of(position);
  const one = new Float64Array(1);
  for (let j = 0; j < defs.length; j++) {
    defs[j].compute(view, at, one);
    out[j] = one[0];
  }
}

/** Wraps column-major data with the definitions' names and categorical indices. */
export function matrixMeta(
  data: Float64Array,
  nRows: number,
  defs: readonly FeatureDefinition[],
): FeatureMatrix {
  const categorical: number[] = [];
  defs.forEach((d, j) => {
    if (d.categorical) categorical.push(j);
  });
  return { nRows, nCols: defs.length, data, names: defs.map((d) => d.name), categorical };
}
