/**
 * A fitted regression tree in compact form: struct-of-arrays over nodes, thresholds on raw feature
 * values (not bins), so a fitted model predicts without its binning. This is the form that is
 * serialized and that explanations read through `TreeView`; batch prediction compiles many of
 * these into one `CompiledForest`.
 */
import type { TreeView } from './tree-view.js';

/** Node flag: a NaN value goes left. */
export const FLAG_DEFAULT_LEFT = 1;
/** Node flag: the split is categorical (a bitset over category codes). */
export const FLAG_CATEGORICAL = 2;
/** Node flag (categorical): codes outside the bitset (unseen or rare in training) go left. */
export const FLAG_OTHER_LEFT = 4;

/** The node arrays of one tree; node 0 is the root, leaves have feature −1 and children −1. */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Numeric split: x ≤ threshold goes left. */
  readonly threshold: Float64Array;
  readonly flags: Uint8Array;
  /** Categorical split: its bitset is catBits[catStart .. catStart + catWords); code c goes left when bit c is set. */
  readonly catStart: Int32Array;
  readonly catWords: Int32Array;
  readonly catBits: Uint32Array;
  /** Leaf output, already scaled (learning rate, or 1/nTrees for a forest). */
  readonly value: Float64Array;
  /** Sum of training hessians reaching the node. */
  readonly cover: Float64Array;
  /** Loss reduction of the split (0 for leaves). */
  readonly gain: Float64Array;
}

/** One fitted tree; it is its own `TreeView`. */
export class Tree implements TreeView {
  readonly nNodes: number;

  constructor(readonly arrays: TreeArrays) {
    this.nNodes = arrays.feature.length;
  }

  isLeaf(node: number): boolean {
    return this.arrays.feature[node] < 0;
  }

  feature(node: number): number {
    return this.arrays.feature[node];
  }

  left(node: number): number {
    return this.arrays.left[node];
  }

  right(node: number): number {
    return this.arrays.right[node];
  }

  value(node: number): number {
    return this.arrays.value[node];
  }

  cover(node: number): number {
    return this.arrays.cover[node];
  }

  goesLeft(node: number, x: number): boolean {
    const a = this.arrays;
    return nodeGoesLeft(a.flags[node], a.threshold[node], a.catStart[node], a.catWords[node], a.catBits, x);
  }

  /** The leaf output for row `i` of a column-major matrix with `nRows` rows. */
  predictAt(data: Float64Array, nRows: number, i: number): number {
    const a = this.arrays;
    let n = 0;
    while (a.feature[n] >= 0) {
      const x = data[a.feature[n] * nRows + i];
      n = nodeGoesLeft(a.flags[n], a.threshold[n], a.catStart[n], a.catWords[n], a.catBits, x)
        ? a.left[n]
        : a.right[n];
    }
    return a.value[n];
  }
}

/** The routing rule every predictor shares: NaN by flag, categorical by bitset, numeric by threshold. */
export function nodeGoesLeft(
  flags: number,
  threshold: number,
  catStart: number,
  catWords: number,
  catBits: Uint32Array,
  x: number,
): boolean {
  if (Number.isNaN(x)) return (flags & FLAG_DEFAULT_LEFT) !== 0;
  if ((flags & FLAG_CATEGORICAL) === 0) return x <= threshold;
  if (x >= 0 && x < catWords * 32 && Number.isInteger(x)) {
    return ((catBits[catStart + (x >>> 5)] >>> (x & 31)) & 1) === 1;
  }
  return (flags & FLAG_OTHER_LEFT) !== 0;
}
