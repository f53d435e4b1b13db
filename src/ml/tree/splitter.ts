/**
 * Split finding on a node's histograms, with LightGBM's gain: leaf outputs are Newton steps with L1
 * and L2 regularisation, clamped to the node's monotone bounds, and the gain of a split is the loss
 * reduction those outputs achieve. Numeric splits scan bin thresholds and try sending the missing
 * bin each way; categorical splits are one-vs-rest for few categories, else LightGBM's scan over
 * categories sorted by gradient/hessian ratio.
 */
import type { BinMapper } from './binning.js';
import { HISTOGRAM_CELL } from './histogram.js';

export interface SplitParams {
  readonly minDataInLeaf: number;
  readonly minSumHessianInLeaf: number;
  readonly minGain: number;
  readonly lambdaL1: number;
  readonly lambdaL2: number;
  /** Per feature: +1 increasing, −1 decreasing, 0 free. */
  readonly monotone: Int8Array;
}

/** At most this many categories: try each alone against the rest. */
const MAX_CAT_TO_ONEHOT = 4;
/** At most this many categories on the left side of a sorted-scan split (LightGBM's default). */
const MAX_CAT_THRESHOLD = 32;
/** Added to the hessian when ordering categories, so that rare ones do not sort to the extremes. */
const CAT_SMOOTH = 10;

/** Sums and output bounds of a node. */
export interface NodeStats {
  readonly sumGrad: number;
  readonly sumHess: number;
  readonly count: number;
  /** Bounds on this node's output and its descendants' (monotone constraints); ±∞ when free. */
  readonly lower: number;
  readonly upper: number;
}

/** The best split found for a node; `gain` is −∞ when there is none. */
export class SplitInfo {
  gain = Number.NEGATIVE_INFINITY;
  feature = -1;
  /** Numeric: rows with bin ≤ thresholdBin go left. */
  thresholdBin = 0;
  /** Numeric: whether the missing bin goes left. */
  defaultLeft = false;
  categorical = false;
  private categories: Uint8Array | undefined;
  /**
   * Categorical: leftBins[b] = 1 when bin b goes left. Made on first use: a tree makes a split
   * record per leaf, and most never hold a categorical split.
   */
  get leftBins(): Uint8Array {
    this.categories ??= new Uint8Array(256);
    return this.categories;
  }
  leftGrad = 0;
  leftHess = 0;
  leftCount = 0;
  rightGrad = 0;
  rightHess = 0;
  rightCount = 0;
  leftOutput = 0;
  rightOutput = 0;

  reset(): void {
    this.gain = Number.NEGATIVE_INFINITY;
    this.feature = -1;
  }
}

function thresholdL1(g: number, l1: number): number {
  const a = Math.abs(g) - l1;
  return a > 0 ? (g > 0 ? a : -a) : 0;
}

/** The regularised Newton output of a leaf with sums (G, H), clamped to [lower, upper]. */
export function leafOutput(G: number, H: number, p: SplitParams, lower: number, upper: number): number {
  const t = thresholdL1(G, p.lambdaL1);
  // t = 0 (no gradient beyond the L1 penalty) is output 0, also when H + λ2 = 0.
  const w = t === 0 ? 0 : -t / (H + p.lambdaL2);
  if (!Number.isFinite(w)) return 0;
  return Math.min(upper, Math.max(lower, w));
}

/** How much a leaf with sums (G, H) and output w lowers the second-order loss approximation. */
export function gainGivenOutput(G: number, H: number, p: SplitParams, w: number): number {
  return -(2 * thresholdL1(G, p.lambdaL1) * w + (H + p.lambdaL2) * w * w);
}

// Scratch for the categorical scan, reused across calls (the splitter runs on one thread).
const catOrder = new Int32Array(256);
const catRatio = new Float64Array(256);
const catMerge = new Int32Array(256);

/** Length of the runs, each sorted by insertion, that `sortBinsByRatio` then merges. */
const INSERTION_RUN = 16;

/**
 * Sorts `bins[0..n)` by `ratio[bin]`, then by bin (a total order, so any correct sort gives the
 * same one), using `scratch` (length ≥ n); returns the sorted bins, a view of `bins` or `scratch`.
 * A bottom-up merge sort over insertion-sorted runs, with the comparison inlined:
 * `TypedArray.prototype.sort` with a comparator took 2–3% of a forecast's CPU in the categorical
 * scan, most of it calling back into JavaScript.
 */
export function sortBinsByRatio(
  bins: Int32Array,
  n: number,
  ratio: Float64Array,
  scratch: Int32Array,
): Int32Array {
  const before = (a: number, b: number): boolean => ratio[a] < ratio[b] || (ratio[a] === ratio[b] && a < b);
  let from = bins;
  let to = scratch;
  for (let start = 0; start < n; start += INSERTION_RUN) {
    const end = Math.min(n, start + INSERTION_RUN);
    for (let i = start + 1; i < end; i++) {
      const b = from[i];
      let j = i - 1;
      while (j >= start && before(b, from[j])) {
        from[j + 1] = from[j];
        j--;
      }
      from[j + 1] = b;
    }
  }
  for (let width = INSERTION_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        to[k] = i < mid && (j >= hi || before(from[i], from[j])) ? from[i++] : from[j++];
      }
    }
    [from, to] = [to, from];
  }
  return from.subarray(0, n);
}

/**
 * Another implementation of `scanNumeric` on the plain path (no L1, bounds or monotone constraint),
 * finding the same split: a histogram builder's WebAssembly kernel. Returns false, having done
 * nothing, when it cannot read `hist`.
 */
export type PlainNumericScan = (
  hist: Float64Array,
  offset: number,
  f: number,
  missingBin: number,
  node: NodeStats,
  parentGain: number,
  p: SplitParams,
  best: SplitInfo,
) => boolean;

/**
 * Finds the best split of a node over `features` (indices into the mapper), writing it into `best`
 * (which keeps `gain = −∞` when no split satisfies the constraints or beats `minGain`).
 */
export function findBestSplit(
  hist: Float64Array,
  mapper: BinMapper,
  features: Int32Array,
  nFeatures: number,
  node: NodeStats,
  p: SplitParams,
  best: SplitInfo,
  plainScan?: PlainNumericScan,
): void {
  best.reset();
  // Without L1 and bounds the optimal gain is G²/(H + λ2): the plain path skips the clamping.
  const unbounded =
    p.lambdaL1 === 0 && node.lower === Number.NEGATIVE_INFINITY && node.upper === Number.POSITIVE_INFINITY;
  const parentHess = node.sumHess + p.lambdaL2;
  const parentGain = unbounded
    ? parentHess > 0
      ? (node.sumGrad * node.sumGrad) / parentHess
      : 0
    : gainGivenOutput(
        node.sumGrad,
        node.sumHess,
        p,
        leafOutput(node.sumGrad, node.sumHess, p, node.lower, node.upper),
      );
  for (let k = 0; k < nFeatures; k++) {
    const f = features[k];
    const binning = mapper.features[f];
    const plain = unbounded && p.monotone[f] === 0;
    if (binning.kind === 'numeric') {
      const offset = mapper.binOffsets[f];
      if (!(plain && plainScan?.(hist, offset, f, binning.missingBin, node, parentGain, p, best)))
        scanNumeric(hist, offset, f, binning.missingBin, node, parentGain, p, plain, best);
    } else scanCategorical(hist, mapper.binOffsets[f], f, binning.nBins, node, parentGain, p, plain, best);
  }
}

/** Evaluates one candidate; records it in `best` when it beats it. */
function consider(
  best: SplitInfo,
  node: NodeStats,
  parentGain: number,
  p: SplitParams,
  f: number,
  plain: boolean,
  LG: number,
  LH: number,
  LC: number,
): boolean {
  const RG = node.sumGrad - LG;
  const RH = node.sumHess - LH;
  const RC = node.count - LC;
  if (LC < p.minDataInLeaf || RC < p.minDataInLeaf) return false;
  if (LH < p.minSumHessianInLeaf || RH < p.minSumHessianInLeaf) return false;
  let gain: number;
  let wl: number;
  let wr: number;
  if (plain) {
    const hl = LH + p.lambdaL2;
    const hr = RH + p.lambdaL2;
    if (!(hl > 0 && hr > 0)) return false;
    gain = (LG * LG) / hl + (RG * RG) / hr - parentGain;
    if (!(gain > best.gain) || !(gain > p.minGain)) return false;
    wl = -LG / hl;
    wr = -RG / hr;
  } else {
    wl = leafOutput(LG, LH, p, node.lower, node.upper);
    wr = leafOutput(RG, RH, p, node.lower, node.upper);
    const mono = p.monotone[f];
    if ((mono > 0 && wl > wr) || (mono < 0 && wl < wr)) return false;
    gain = gainGivenOutput(LG, LH, p, wl) + gainGivenOutput(RG, RH, p, wr) - parentGain;
    if (!(gain > best.gain) || !(gain > p.minGain)) return false;
  }
  recordSplit(best, node, f, gain, LG, LH, LC, wl, wr);
  return true;
}

/** Makes the candidate with left sums (LG, LH, LC) and outputs (wl, wr) the best split. */
export function recordSplit(
  best: SplitInfo,
  node: NodeStats,
  f: number,
  gain: number,
  LG: number,
  LH: number,
  LC: number,
  wl: number,
  wr: number,
): void {
  best.gain = gain;
  best.feature = f;
  best.leftGrad = LG;
  best.leftHess = LH;
  best.leftCount = LC;
  best.rightGrad = node.sumGrad - LG;
  best.rightHess = node.sumHess - LH;
  best.rightCount = node.count - LC;
  best.leftOutput = wl;
  best.rightOutput = wr;
}

function scanNumeric(
  hist: Float64Array,
  offset: number,
  f: number,
  missingBin: number,
  node: NodeStats,
  parentGain: number,
  p: SplitParams,
  plain: boolean,
  best: SplitInfo,
): void {
  const m = (offset + missingBin) * HISTOGRAM_CELL;
  const mG = hist[m];
  const mH = hist[m + 1];
  const mC = hist[m + 2];
  const minData = p.minDataInLeaf;
  const end = (offset + missingBin - 1) * HISTOGRAM_CELL;
  // With no missing rows in the node both directions are the same split: try right only, and
  // let unseen NaN follow the larger child, which is the safer guess.
  for (let dir = 0; dir < (mC > 0 ? 2 : 1); dir++) {
    const defaultLeft = dir === 1;
    let LG = defaultLeft ? mG : 0;
    let LH = defaultLeft ? mH : 0;
    let LC = defaultLeft ? mC : 0;
    for (let o = offset * HISTOGRAM_CELL; o < end; o += HISTOGRAM_CELL) {
      const c = hist[o + 2];
      LG += hist[o];
      LH += hist[o + 1];
      LC += c;
      if (c === 0 || LC < minData) continue;
      // The right side only shrinks from here on: no later threshold can leave it enough rows.
      if (node.count - LC < minData) break;
      if (consider(best, node, parentGain, p, f, plain, LG, LH, LC)) {
        best.categorical = false;
        best.thresholdBin = o / HISTOGRAM_CELL - offset;
        best.defaultLeft = mC > 0 ? defaultLeft : LC >= node.count - LC;
      }
    }
  }
}

function scanCategorical(
  hist: Float64Array,
  offset: number,
  f: number,
  nBins: number,
  node: NodeStats,
  parentGain: number,
  p: SplitParams,
  plain: boolean,
  best: SplitInfo,
): void {
  let n = 0;
  for (let b = 0; b < nBins; b++) {
    const o = (offset + b) * HISTOGRAM_CELL;
    if (hist[o + 2] > 0) {
      catOrder[n++] = b;
      catRatio[b] = hist[o] / (hist[o + 1] + CAT_SMOOTH);
    }
  }
  if (n < 2) return;
  if (n <= MAX_CAT_TO_ONEHOT) {
    for (let k = 0; k < n; k++) {
      const o = (offset + catOrder[k]) * HISTOGRAM_CELL;
      if (consider(best, node, parentGain, p, f, plain, hist[o], hist[o + 1], hist[o + 2])) {
        best.categorical = true;
        best.leftBins.fill(0);
        best.leftBins[catOrder[k]] = 1;
      }
    }
    return;
  }
  // Sorting by ratio makes the best "prefix vs rest" split near-optimal (Fisher 1958 for squared
  // error); both ends are scanned because the left side is capped at MAX_CAT_THRESHOLD categories.
  const order = sortBinsByRatio(catOrder, n, catRatio, catMerge);
  const maxK = Math.min(MAX_CAT_THRESHOLD, n - 1);
  for (let dir = 0; dir < 2; dir++) {
    let LG = 0;
    let LH = 0;
    let LC = 0;
    for (let k = 0; k < maxK; k++) {
      const b = dir === 0 ? order[k] : order[n - 1 - k];
      const o = (offset + b) * HISTOGRAM_CELL;
      LG += hist[o];
      LH += hist[o + 1];
      LC += hist[o + 2];
      if (consider(best, node, parentGain, p, f, plain, LG, LH, LC)) {
        best.categorical = true;
        best.leftBins.fill(0);
        for (let q = 0; q <= k; q++) best.leftBins[dir === 0 ? order[q] : order[n - 1 - q]] = 1;
      }
    }
  }
}
