/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2): per-feature Shapley values of a tree ensemble's
 * raw score in O(T·L·D²) per row (T trees, L leaves, depth D), instead of the exponential
 * enumeration in `treeshap-naive.ts`, which is the reference the tests hold this to.
 *
 * "Path-dependent" means a feature outside the coalition is integrated out by following both
 * children weighted by their training cover, so no background data set is needed.
 */

import type { FeatureMatrix } from './estimator.js';
import type { TreeEnsembleView, TreeView } from './tree/tree-view.js';
import { checkPredictInput } from './validation.js';

/** SHAP values of a set of rows. */
export interface ShapValues {
  /** Row-major nRows × nFeatures. */
  readonly values: Float64Array;
  /**
   * The model's expected raw score under the training cover: `baseScore` plus each tree's
   * cover-weighted mean leaf value. For every row, expectedValue + Σ values = raw prediction.
   */
  readonly expectedValue: number;
}

/**
 * SHAP values of `ensemble` for every row of `X` (column-major, nRows × nFeatures), in the raw
 * (margin) space: `baseScore + Σ leaf values`. For `link: 'log'` models that is the log of the
 * prediction, so each value is a multiplicative effect: the prediction is
 * exp(expectedValue) × Π exp(values[j]). `toResponseScale` gives additive effects in units.
 */
export function shapValues(ensemble: TreeEnsembleView, X: FeatureMatrix): ShapValues {
  checkPredictInput('TreeSHAP', X, ensemble.nFeatures);
  const p = ensemble.nFeatures;
  const n = X.nRows;
  const values = new Float64Array(n * p);
  const row = new Float64Array(p);
  const explainers = ensemble.trees.map((t) => new TreeExplainer(t));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = X.data[j * n + i];
    const phi = values.subarray(i * p, (i + 1) * p);
    for (const e of explainers) e.explain(row, phi);
  }
  let expectedValue = ensemble.baseScore;
  for (const t of ensemble.trees) expectedValue += treeExpectation(t, 0);
  return { values, expectedValue };
}

/**
 * Converts log-scale SHAP values of a `link: 'log'` model to additive effects on the response
 * scale (units): each row's gap exp(raw) − exp(expectedValue) is split among the features in
 * proportion to their log-scale values. The split is a convention (exact Shapley values of the
 * exponentiated model would need the interaction terms), but it keeps the signs and the ranking
 * and sums exactly: responseBase + Σ values = prediction.
 */
export function toResponseScale(
  shap: ShapValues,
  nFeatures: number,
): { values: Float64Array; expectedValue: number } {
  const base = Math.exp(shap.expectedValue);
  const nRows = shap.values.length / nFeatures;
  const values = new Float64Array(shap.values.length);
  for (let i = 0; i < nRows; i++) {
    let logSum = 0;
    for (let j = 0; j < nFeatures; j++) logSum += shap.values[i * nFeatures + j];
    if (logSum === 0) continue;
    const gap = Math.exp(shap.expectedValue + logSum) - base;
    for (let j = 0; j < nFeatures; j++)
      values[i * nFeatures + j] = (gap * shap.values[i * nFeatures + j]) / logSum;
  }
  return { values, expectedValue: base };
}

/**
 * Cover-weighted mean leaf value below `node`: the expectation with every feature integrated out.
 * Child fractions are normalised by the children's covers, as in `TreeExplainer`, so that the
 * two agree even when a tree's parent cover is not exactly the sum of its children's.
 */
export function treeExpectation(tree: TreeView, node: number): number {
  if (tree.isLeaf(node)) return tree.value(node);
  const l = tree.left(node);
  const r = tree.right(node);
  const cl = tree.cover(l);
  const cr = tree.cover(r);
  return (cl * treeExpectation(tree, l) + cr * treeExpectation(tree, r)) / (cl + cr);
}

/** Depth of the deepest leaf below `node` (a lone leaf has depth 0). */
function treeDepth(tree: TreeView, node: number): number {
  if (tree.isLeaf(node)) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left(node)), treeDepth(tree, tree.right(node)));
}

/**
 * Algorithm 2 for one tree, with the path stack preallocated: each recursion level copies the
 * current path (at most depth + 1 elements) into the next slice of the buffers, as the reference
 * C++ implementation does, so explaining a row allocates nothing.
 */
class TreeExplainer {
  // The path: for element k, the feature it splits on, the fraction of cover flowing along the
  // path when the feature is absent ("zero") or present ("one": 1 if x follows the path, else 0),
  // and the permutation weight of coalitions of each size.
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;
  private x: Float64Array = new Float64Array(0);
  private phi: Float64Array = new Float64Array(0);

  constructor(private readonly tree: TreeView) {
    const depth = treeDepth(tree, 0);
    // Level d's path starts after levels 0..d-1, each holding at most (level + 2) elements.
    const size = ((depth + 2) * (depth + 3)) / 2 + 1;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /** Adds this tree's SHAP values for the dense row `x` to `phi`. */
  explain(x: Float64Array, phi: Float64Array): void {
    this.x = x;
    this.phi = phi;
    this.recurse(0, 0, 0, 0, 1, 1, -1);
  }

  /**
   * Visits `node` with a path of `depth` inherited elements stored from `parentStart`; the new
   * element is (featureIndex, zeroFraction, oneFraction) for the split that led here.
   */
  private recurse(
    node: number,
    depth: number,
    parentStart: number,
    start: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const t = this.tree;
    const { feature, zero, one, weight } = this;
    // Element-wise copy: paths are short, and four copyWithin calls per node cost more.
    for (let k = 0; k < depth; k++) {
      feature[start + k] = feature[parentStart + k];
      zero[start + k] = zero[parentStart + k];
      one[start + k] = one[parentStart + k];
      weight[start + k] = weight[parentStart + k];
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);

    if (t.isLeaf(node)) {
      const v = t.value(node);
      for (let k = 1; k <= depth; k++) {
        const w = this.unwoundSum(start, depth, k);
        this.phi[feature[start + k]] += w * (one[start + k] - zero[start + k]) * v;
      }
      return;
    }

    const split = t.feature(node);
    const l = t.left(node);
    const r = t.right(node);
    const goLeft = t.goesLeft(node, this.x[split]);
    const hot = goLeft ? l : r;
    const cold = goLeft ? r : l;
    const cl = t.cover(l);
    const cr = t.cover(r);
    const hotZero = (goLeft ? cl : cr) / (cl + cr);
    const coldZero = (goLeft ? cr : cl) / (cl + cr);

    // A feature already on the path is unwound, and its fractions carried into this split, so
    // each feature appears on the path once.
    let incomingZero = 1;
    let incomingOne = 1;
    let k = 1;
    while (k <= depth && feature[start + k] !== split) k++;
    if (k <= depth) {
      incomingZero = zero[start + k];
      incomingOne = one[start + k];
      this.unwind(start, depth, k);
      depth -= 1;
    }
    const next = start + depth + 2;
    this.recurse(hot, depth + 1, start, next, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, depth + 1, start, next, coldZero * incomingZero, 0, split);
  }

  /** EXTEND: adds an element at index `depth` and updates the permutation weights. */
  private extend(
    s: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const { feature, zero, one, weight } = this;
    feature[s + depth] = featureIndex;
    zero[s + depth] = zeroFraction;
    one[s + depth] = oneFraction;
    weight[s + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      weight[s + i + 1] += (oneFraction * weight[s + i] * (i + 1)) / (depth + 1);
      weight[s + i] = (zeroFraction * weight[s + i] * (depth - i)) / (depth + 1);
    }
  }

  /** UNWIND: removes element `k`, undoing its EXTEND. */
  private unwind(s: number, depth: number, k: number): void {
    const { feature, zero, one, weight } = this;
    const oneFraction = one[s + k];
    const zeroFraction = zero[s + k];
    let nextOne = weight[s + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const tmp = weight[s + i];
        weight[s + i] = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
        nextOne = tmp - (weight[s + i] * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        weight[s + i] = (weight[s + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    for (let i = k; i < depth; i++) {
      feature[s + i] = feature[s + i + 1];
      zero[s + i] = zero[s + i + 1];
      one[s + i] = one[s + i + 1];
    }
  }

  /** Total permutation weight of the path with element `k` unwound, without modifying the path. */
  private unwoundSum(s: number, depth: number, k: number): number {
    const { zero, one, weight } = this;
    const oneFraction = one[s + k];
    const zeroFraction = zero[s + k];
    let nextOne = weight[s + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const tmp = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
        total += tmp;
        nextOne = weight[s + i] - (tmp * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        total += (weight[s + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    return total;
  }
}
