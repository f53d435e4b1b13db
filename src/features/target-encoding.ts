/**
 * Target encodings of categorical drivers without leakage: the value of a row is the mean target
 * of every row (of any series) with the same category, dated at least `minLag` periods earlier.
 * An expanding mean in time, so a row never sees its own target or any later one; with the direct
 * strategy (`minLag` = horizon) forecast rows see only targets up to the forecast origin.
 */
import { periodDays } from '../core/dates.js';
import type { FeatureDefinition } from './definition.js';
import { isCategorical, type Panel } from './panel.js';

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
 * `date − minLag` periods (NaN when there are none or the category is missing).
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
  let added = 0;
  for (const r of order) {
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
