/**
 * Target encodings of categorical drivers without leakage: the value of a row is the mean target
 * of every row (of any series) with the same category, dated at least `minLag` periods earlier.
 * An expanding mean in time, so a row never sees its own target or any later one; with the direct
 * strategy (`minLag` = horizon) forecast rows see only targets up to the forecast origin.
 */
import { periodDays } from '../core/dates.js';
import type { FeatureDefinition } from './definition.js';
import { isCategorical, type LeftOutTargets, type Panel } from './panel.js';

/** The target encoding of categorical column `column`, named `<column>_target_mean`. */
export function targetEncodingFeature(column: string, minLag: number): FeatureDefinition {
  const name = `${column}_target_mean`;
  const key = `\u0000${name}`;
  return {
    name,
    categorical: false,
    minLag,
    prepare(panel) {
      return { [key]: expandingCategoryMean(panel, column, minLag) };
    },
    compute(series, at, out) {
      const col = series.exog[key];
      for (let k = 0; k < at.length; k++) out[k] = col ? col[at[k]] : Number.NaN;
    },
  };
}

/**
 * Per row: mean of the observed targets of rows with the row's category dated on or before
 * `date − minLag` periods (NaN when there are none or the category is missing). Rows the panel
 * left out (`panel.leftOut`) count as if they were in it.
 */
export function expandingCategoryMean(panel: Panel, column: string, minLag: number): Float64Array {
  const col = panel.exog[column];
  const n = panel.y.length;
  const out = new Float64Array(n).fill(Number.NaN);
  if (!col || !isCategorical(col)) return out;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => panel.dates[a] - panel.dates[b]);
  const sums = new Float64Array(col.levels.length);
  const counts = new Float64Array(col.levels.length);
  const gap = minLag * periodDays(panel.freq);
  const left = panel.leftOut?.[column];
  let leftAdded = 0;
  let added = 0;
  for (const r of order) {
    while (left && leftAdded < left.dates.length && left.dates[leftAdded] <= panel.dates[r] - gap) {
      sums[left.codes[leftAdded]] += left.sums[leftAdded];
      counts[left.codes[leftAdded]] += left.counts[leftAdded];
      leftAdded++;
    }
    while (added < n && panel.dates[order[added]] <= panel.dates[r] - gap) {
      const q = order[added++];
      const c = col.codes[q];
      const v = panel.y[q];
      if (c >= 0 && !Number.isNaN(v) && (!panel.weight || panel.weight[q] > 0)) {
        sums[c] += v;
        counts[c]++;
      }
    }
    const c = col.codes[r];
    if (c >= 0 && counts[c] > 0) out[r] = sums[c] / counts[c];
  }
  return out;
}

/**
 * The targets of rows leaving a live window, summed per categorical driver, date and category
 * (`LeftOutTargets`): what target encodings need of them, in memory that grows with the dates and
 * categories seen, not with the rows.
 */
export class LeftOutTargetSums {
  /** Column → its level count and, per (date × levels + code), [sum, count]. */
  private readonly byColumn = new Map<string, { levels: number; cells: Map<number, [number, number]> }>();
  private cached: LeftOutTargets | undefined;

  /** Adds rows `from..to−1` of `panel`, whose targets on the features' scale are `y` (indexed as the panel). */
  add(panel: Panel, y: Float64Array, from: number, to: number): void {
    const columns = Object.entries(panel.exog).flatMap(([name, col]) =>
      isCategorical(col) ? [{ name, col }] : [],
    );
    if (columns.length === 0) return;
    for (let r = from; r < to; r++) {
      const v = y[r];
      if (Number.isNaN(v) || (panel.weight && !(panel.weight[r] > 0))) continue;
      for (const { name, col } of columns) {
        if (col.codes[r] < 0) continue;
        let column = this.byColumn.get(name);
        if (!column) {
          column = { levels: col.levels.length, cells: new Map() };
          this.byColumn.set(name, column);
        }
        const key = panel.dates[r] * column.levels + col.codes[r];
        const cell = column.cells.get(key);
        if (cell) {
          cell[0] += v;
          cell[1]++;
        } else column.cells.set(key, [v, 1]);
        this.cached = undefined;
      }
    }
  }

  /** The sums so far, dates ascending; undefined before any row was added. */
  get targets(): LeftOutTargets | undefined {
    if (this.cached || this.byColumn.size === 0) return this.cached;
    const out: Record<string, LeftOutTargets[string]> = {};
    for (const [name, { levels, cells }] of this.byColumn) {
      const keys = Float64Array.from(cells.keys()).sort();
      out[name] = {
        dates: Int32Array.from(keys, (k) => Math.floor(k / levels)),
        codes: Int32Array.from(keys, (k) => k - Math.floor(k / levels) * levels),
        sums: Float64Array.from(keys, (k) => cells.get(k)![0]),
        counts: Float64Array.from(keys, (k) => cells.get(k)![1]),
      };
    }
    this.cached = out;
    return out;
  }
}
