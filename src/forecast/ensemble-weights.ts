/**
 * Ensemble weights from backtest error: greedy ensemble selection with replacement (Caruana et
 * al., 2004). Each round adds the member whose inclusion gives the lowest backtest WAPE of the
 * running average; a member's weight is the share of rounds that picked it. Members that never help
 * get weight 0, so a weak model cannot dilute a strong one, and ties go to the earlier member.
 */

/** Rounds of selection; weights are multiples of 1/ROUNDS. */
const ROUNDS = 20;

/**
 * Weights (summing to 1) of `members` (backtest forecasts, each aligned with `y`) that minimise
 * the WAPE of their weighted sum on the backtest rows. Rows where any value is not finite are ignored.
 */
export function ensembleWeights(y: Float64Array, members: readonly Float64Array[]): Float64Array {
  const m = members.length;
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(y[i]) && members.every((p) => Number.isFinite(p[i]))) rows.push(i);
  }
  const counts = new Float64Array(m);
  if (rows.length === 0) return counts.fill(1 / m);
  const sum = new Float64Array(rows.length);
  for (let round = 1; round <= ROUNDS; round++) {
    let best = 0;
    let bestError = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      let err = 0;
      for (let k = 0; k < rows.length; k++) {
        err += Math.abs(y[rows[k]] - (sum[k] + members[j][rows[k]]) / round);
      }
      if (err < bestError) {
        bestError = err;
        best = j;
      }
    }
    counts[best]++;
    for (let k = 0; k < rows.length; k++) sum[k] += members[best][rows[k]];
  }
  return counts.map((c) => c / ROUNDS);
}
