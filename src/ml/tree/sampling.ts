/**
 * Seeded sampling of rows and features for binning, bagging and column subsampling. Outputs are
 * ascending so that row partitions and feature scans keep a fixed, reproducible order.
 */
import type { Rng } from '../../core/rng.js';

/**
 * Writes `k` of the row indices 0..n−1, chosen uniformly without replacement, ascending, into
 * `out`; returns k. With `rest`, also writes the n − k rows not chosen there, ascending (a bag and
 * its out-of-bag rows in one pass). Knuth's selection sampling: one pass and no sort.
 */
export function selectRows(
  n: number,
  k: number,
  rng: Rng,
  out: Int32Array | Uint32Array,
  rest?: Int32Array,
): number {
  let chosen = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (chosen < k && (n - i) * rng.next() < k - chosen) out[chosen++] = i;
    else if (rest) rest[m++] = i;
    else if (chosen === k) break;
  }
  return chosen;
}

/** Writes round(fraction · k) of the k `features` (at least 1), ascending, into `out`; returns the count. */
export function selectFeatures(features: Int32Array, fraction: number, rng: Rng, out: Int32Array): number {
  const k = features.length;
  const m = Math.max(1, Math.min(k, Math.round(fraction * k)));
  out.set(features);
  // Partial Fisher–Yates: only the first m positions need to be random.
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(k - i);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  out.subarray(0, m).sort();
  return m;
}
