/**
 * Batch and single-row prediction for a tree ensemble, on a compiled flat layout: the internal nodes
 * of all trees in one set of arrays (feature, threshold, flags, children), children that are leaves
 * encoded as ~leafIndex into one leaf-value array. Walking it touches a few small arrays instead of
 * per-tree objects, and batch prediction runs trees × row blocks so a block's feature columns stay
 * in cache while every tree visits them.
 */
import { nodeGoesLeft, type Tree } from './tree.js';

/** Rows per block: 40 columns × 2048 rows × 8 bytes is about the size of a core's L2 cache. */
const BLOCK_ROWS = 2048;

/** The internal nodes and leaves of an ensemble's trees, laid out flat for fast walking. */
export class CompiledForest {
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly flags: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly catStart: Int32Array;
  private readonly catWords: Int32Array;
  private readonly catBits: Uint32Array;
  private readonly leafValue: Float64Array;
  /** Per tree: its root, encoded like a child (≥ 0 internal node, < 0 leaf). */
  private readonly roots: Int32Array;

  constructor(trees: readonly Tree[]) {
    let nInternal = 0;
    let nLeaves = 0;
    let nBits = 0;
    for (const t of trees) {
      for (let n = 0; n < t.nNodes; n++) {
        if (t.isLeaf(n)) nLeaves++;
        else nInternal++;
      }
      nBits += t.arrays.catBits.length;
    }
    this.feature = new Int32Array(nInternal);
    this.threshold = new Float64Array(nInternal);
    this.flags = new Uint8Array(nInternal);
    this.left = new Int32Array(nInternal);
    this.right = new Int32Array(nInternal);
    this.catStart = new Int32Array(nInternal);
    this.catWords = new Int32Array(nInternal);
    this.catBits = new Uint32Array(nBits);
    this.leafValue = new Float64Array(nLeaves);
    this.roots = new Int32Array(trees.length);

    let internalBase = 0;
    let leafBase = 0;
    let bitsBase = 0;
    trees.forEach((t, ti) => {
      const a = t.arrays;
      // Local node → encoded compiled index, internal nodes and leaves numbered in node order.
      const code = new Int32Array(t.nNodes);
      let ni = internalBase;
      let nl = leafBase;
      for (let n = 0; n < t.nNodes; n++) code[n] = a.feature[n] < 0 ? ~nl++ : ni++;
      for (let n = 0; n < t.nNodes; n++) {
        const c = code[n];
        if (c < 0) {
          this.leafValue[~c] = a.value[n];
          continue;
        }
        this.feature[c] = a.feature[n];
        this.threshold[c] = a.threshold[n];
        this.flags[c] = a.flags[n];
        this.left[c] = code[a.left[n]];
        this.right[c] = code[a.right[n]];
        this.catStart[c] = a.catStart[n] + bitsBase;
        this.catWords[c] = a.catWords[n];
      }
      this.catBits.set(a.catBits, bitsBase);
      this.roots[ti] = code[0];
      internalBase = ni;
      leafBase = nl;
      bitsBase += a.catBits.length;
    });
  }

  /**
   * Adds every tree's output to `out[i]` for each row i of the column-major `data` (nRows rows),
   * tree by tree in order, so the sums equal `predictRow`'s bit for bit.
   */
  addTo(data: Float64Array, nRows: number, out: Float64Array): void {
    const { feature, threshold, flags, left, right, catStart, catWords, catBits, leafValue, roots } = this;
    for (let start = 0; start < nRows; start += BLOCK_ROWS) {
      const end = Math.min(nRows, start + BLOCK_ROWS);
      for (let t = 0; t < roots.length; t++) {
        const root = roots[t];
        if (root < 0) {
          const v = leafValue[~root];
          for (let i = start; i < end; i++) out[i] += v;
          continue;
        }
        for (let i = start; i < end; i++) {
          let n = root;
          while (n >= 0) {
            const x = data[feature[n] * nRows + i];
            const goLeft = nodeGoesLeft(flags[n], threshold[n], catStart[n], catWords[n], catBits, x);
            n = goLeft ? left[n] : right[n];
          }
          out[i] += leafValue[~n];
        }
      }
    }
  }

  /** `init` plus every tree's output for one dense row, summed in tree order; allocates nothing. */
  sumRow(row: Float64Array, init: number): number {
    const { feature, threshold, flags, left, right, catStart, catWords, catBits, leafValue, roots } = this;
    let acc = init;
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t];
      while (n >= 0) {
        const x = row[feature[n]];
        const goLeft = nodeGoesLeft(flags[n], threshold[n], catStart[n], catWords[n], catBits, x);
        n = goLeft ? left[n] : right[n];
      }
      acc += leafValue[~n];
    }
    return acc;
  }
}
