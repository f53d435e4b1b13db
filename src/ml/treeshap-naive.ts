/**
 * The slow, obvious reference for `treeshap.ts`: exact Shapley values by enumerating every feature
 * coalition, with the path-dependent value function (Lundberg et al. 2018, Algorithm 1): features
 * in the coalition follow the row, the others are integrated out by the children's training
 * cover. Exponential in the number of features; only for tests on small models.
 */

import type { TreeEnsembleView, TreeView } from './tree/tree-view.js';

/**
 * Shapley values of one dense row `x` (length nFeatures ≤ 16) in the raw space, and the value of
 * the empty coalition (the expected raw score).
 */
export function shapValuesNaive(
  ensemble: TreeEnsembleView,
  x: Float64Array,
): { values: Float64Array; expectedValue: number } {
  const p = ensemble.nFeatures;
  if (p > 16) throw new RangeError(`shapValuesNaive enumerates 2^${p} coalitions; use at most 16 features`);
  const nCoalitions = 2 ** p;
  const value = new Float64Array(nCoalitions);
  for (let mask = 0; mask < nCoalitions; mask++) {
    let v = ensemble.baseScore;
    for (const tree of ensemble.trees) v += coalitionValue(tree, 0, x, mask);
    value[mask] = v;
  }
  // Shapley weight of a coalition of size s not containing the feature: s! (p − s − 1)! / p!.
  const factorial = [1];
  for (let k = 1; k <= p; k++) factorial.push(factorial[k - 1] * k);
  const values = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const bit = 1 << j;
    for (let mask = 0; mask < nCoalitions; mask++) {
      if (mask & bit) continue;
      const s = popcount(mask);
      values[j] += ((factorial[s] * factorial[p - s - 1]) / factorial[p]) * (value[mask | bit] - value[mask]);
    }
  }
  return { values, expectedValue: value[0] };
}

/** Expected output of the subtree at `node` when only the features in `mask` are known. */
function coalitionValue(tree: TreeView, node: number, x: Float64Array, mask: number): number {
  if (tree.isLeaf(node)) return tree.value(node);
  const f = tree.feature(node);
  const l = tree.left(node);
  const r = tree.right(node);
  if (mask & (1 << f)) return coalitionValue(tree, tree.goesLeft(node, x[f]) ? l : r, x, mask);
  const cl = tree.cover(l);
  const cr = tree.cover(r);
  return (cl * coalitionValue(tree, l, x, mask) + cr * coalitionValue(tree, r, x, mask)) / (cl + cr);
}

function popcount(mask: number): number {
  let c = 0;
  for (let m = mask; m !== 0; m &= m - 1) c++;
  return c;
}
