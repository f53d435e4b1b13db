/**
 * Gradient/hessian histograms of a tree node: for every feature and bin, the sum of gradients, the
 * sum of hessians and the row count of the node's rows in that bin. Layout: one Float64Array of
 * `HISTOGRAM_CELL` doubles per bin, `[grad, hess, count, 0]`, feature j's bins starting at
 * `binOffsets[j]`.
 *
 * `accumulateHistograms` is the JavaScript kernel, for data past the WebAssembly builder's memory
 * (histogram-wasm.ts, whose kernels make the same sums in the same order). `buildHistogramNaive` is
 * the slow, obvious reference both are tested against.
 */
import type { BinMapper } from './binning.js';
import type { PlainNumericScan } from './splitter.js';

/**
 * Doubles per histogram bin: gradient, hessian, count and an unused fourth, which puts every bin's
 * (gradient, hessian) pair on 16 bytes. The WebAssembly kernels add a row's pair to it with one
 * `f64x2.add`, one load and one store instead of two of each: a third faster on squared loss.
 */
export const HISTOGRAM_CELL = 4;

/**
 * Fills the histograms of the features `features[fBegin..fEnd)` for the node whose rows are
 * `rows[begin..begin+count)` (or rows begin..begin+count-1 themselves when `allRows` is 1).
 * `gh` holds the node's gradients and hessians in node order: gh[2k], gh[2k+1] for its k-th row.
 * Sums run in row order, so a feature's histogram does not depend on which builder or thread built
 * it.
 * `unitHessian` is 1 when every hessian is exactly 1 (counts are then taken from the hessian sums).
 *
 * `bins`: column-major, nRows × nFeatures. Only the listed features' ranges of `hist` are written.
 */
export function accumulateHistograms(
  bins: Uint8Array,
  nRows: number,
  rows: Int32Array,
  begin: number,
  count: number,
  allRows: number,
  unitHessian: number,
  gh: Float64Array,
  features: Int32Array,
  fBegin: number,
  fEnd: number,
  binOffsets: Int32Array,
  hist: Float64Array,
): void {
  const end = begin + count;
  const countStep = countStepOf(unitHessian === 1, count, features, fBegin, fEnd, binOffsets);
  let k = fBegin;
  // Four features per pass over the rows: the row index and its gradient pair are loaded once for
  // four histograms, and the four independent read-modify-write chains overlap in the CPU (about
  // twice as fast as one feature per pass).
  for (; k + 4 <= fEnd; k += 4) {
    const f0 = features[k];
    const f1 = features[k + 1];
    const f2 = features[k + 2];
    const f3 = features[k + 3];
    const c0 = f0 * nRows;
    const c1 = f1 * nRows;
    const c2 = f2 * nRows;
    const c3 = f3 * nRows;
    const o0 = binOffsets[f0] * HISTOGRAM_CELL;
    const o1 = binOffsets[f1] * HISTOGRAM_CELL;
    const o2 = binOffsets[f2] * HISTOGRAM_CELL;
    const o3 = binOffsets[f3] * HISTOGRAM_CELL;
    hist.fill(0, o0, binOffsets[f0 + 1] * HISTOGRAM_CELL);
    hist.fill(0, o1, binOffsets[f1 + 1] * HISTOGRAM_CELL);
    hist.fill(0, o2, binOffsets[f2 + 1] * HISTOGRAM_CELL);
    hist.fill(0, o3, binOffsets[f3 + 1] * HISTOGRAM_CELL);
    if (countStep === 0) {
      for (let i = begin, p = 0; i < end; i++, p += 2) {
        const r = allRows === 1 ? i : rows[i];
        const g = gh[p];
        const h = gh[p + 1];
        let o = o0 + bins[c0 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        o = o1 + bins[c1 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        o = o2 + bins[c2 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        o = o3 + bins[c3 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
      }
    } else {
      for (let i = begin, p = 0; i < end; i++, p += 2) {
        const r = allRows === 1 ? i : rows[i];
        const g = gh[p];
        const h = gh[p + 1];
        let o = o0 + bins[c0 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        hist[o + 2] += 1;
        o = o1 + bins[c1 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        hist[o + 2] += 1;
        o = o2 + bins[c2 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        hist[o + 2] += 1;
        o = o3 + bins[c3 + r] * HISTOGRAM_CELL;
        hist[o] += g;
        hist[o + 1] += h;
        hist[o + 2] += 1;
      }
    }
  }
  for (; k < fEnd; k++) {
    const f = features[k];
    const c = f * nRows;
    const lo = binOffsets[f] * HISTOGRAM_CELL;
    hist.fill(0, lo, binOffsets[f + 1] * HISTOGRAM_CELL);
    for (let i = begin, p = 0; i < end; i++, p += 2) {
      const o = lo + bins[c + (allRows === 1 ? i : rows[i])] * HISTOGRAM_CELL;
      hist[o] += gh[p];
      hist[o + 1] += gh[p + 1];
      hist[o + 2] += countStep;
    }
  }
  if (countStep === 0) {
    for (let q = fBegin; q < fEnd; q++) {
      const f = features[q];
      const hi = binOffsets[f + 1] * HISTOGRAM_CELL;
      for (let o = binOffsets[f] * HISTOGRAM_CELL; o < hi; o += HISTOGRAM_CELL) hist[o + 2] = hist[o + 1];
    }
  }
}

/**
 * What a node's kernels add to each row's bin count: 0 when every hessian is exactly 1 and the
 * counts can be copied from the hessian sums afterwards (skipping a third of the memory traffic),
 * 1 otherwise. The copy visits every bin of `features[fBegin..fEnd)`, so a node with fewer rows
 * than those features have bins counts as it goes.
 */
export function countStepOf(
  unitHessian: boolean,
  count: number,
  features: Int32Array,
  fBegin: number,
  fEnd: number,
  binOffsets: Int32Array,
): number {
  const binsToCopy = fEnd > fBegin ? binOffsets[features[fEnd - 1] + 1] - binOffsets[features[fBegin]] : 0;
  return unitHessian && count * (fEnd - fBegin) >= binsToCopy ? 0 : 1;
}

/**
 * Copies the node's gradients and hessians into `gh` in node-row order, so that the kernel reads
 * them sequentially once per feature instead of gathering them once per feature.
 */
export function gatherGradients(
  rows: Int32Array,
  begin: number,
  count: number,
  allRows: boolean,
  grad: Float64Array,
  hess: Float64Array,
  gh: Float64Array,
): void {
  if (allRows) {
    for (let i = 0; i < count; i++) {
      gh[2 * i] = grad[i];
      gh[2 * i + 1] = hess[i];
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = rows[begin + i];
      gh[2 * i] = grad[r];
      gh[2 * i + 1] = hess[r];
    }
  }
}

/** Slow reference: the histogram of all features over `rows`, row by row, feature by feature. */
export function buildHistogramNaive(
  mapper: BinMapper,
  bins: Uint8Array,
  nRows: number,
  rows: ArrayLike<number>,
  grad: Float64Array,
  hess: Float64Array,
): Float64Array {
  const hist = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    for (let f = 0; f < mapper.features.length; f++) {
      const o = (mapper.binOffsets[f] + bins[f * nRows + r]) * HISTOGRAM_CELL;
      hist[o] += grad[r];
      hist[o + 1] += hess[r];
      hist[o + 2] += 1;
    }
  }
  return hist;
}

/**
 * `parent -= child` in place over the bins of `features`: the sibling's histogram without touching
 * its rows (LightGBM's trick). Only the features a tree may split on have histograms built, so only
 * theirs are worth subtracting.
 */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  features: Int32Array,
  binOffsets: Int32Array,
): void {
  forEachFeatureRun(features, binOffsets, (lo, hi) => {
    for (let i = lo; i < hi; i++) parent[i] -= child[i];
  });
}

/**
 * Calls `visit(lo, hi)` with the cell range of each run of consecutive `features`: a run is one
 * range of bins, so a loop over it holds one bound.
 */
export function forEachFeatureRun(
  features: Int32Array,
  binOffsets: Int32Array,
  visit: (lo: number, hi: number) => void,
): void {
  for (let k = 0; k < features.length; ) {
    const first = features[k];
    let last = first;
    while (++k < features.length && features[k] === last + 1) last++;
    visit(binOffsets[first] * HISTOGRAM_CELL, binOffsets[last + 1] * HISTOGRAM_CELL);
  }
}

/** Builds node histograms; the serial builder runs the kernel inline, the parallel one shares it out. */
export interface HistogramBuilder {
  /** Row indices the grower partitions in place (length nRows; shared memory when parallel). */
  readonly rows: Int32Array;
  /**
   * The out-of-bag rows of the tree being grown (length nRows), which the grower partitions with
   * its rows but which take no part in histograms.
   */
  readonly oobRows: Int32Array;
  /** Features whose histograms `build` fills (all features the current tree may split on). */
  setFeatures(features: Int32Array): void;
  /** Declares that every hessian is exactly 1 (unweighted squared, absolute, quantile, Huber). */
  setUnitHessian(unit: boolean): void;
  /** Fills `out` for the node `rows[begin..begin+count)` (`allRows`: rows 0..count-1 in order). */
  build(
    begin: number,
    count: number,
    allRows: boolean,
    grad: Float64Array,
    hess: Float64Array,
    out: Float64Array,
  ): void;
  /**
   * A new buffer for one node's histograms (`totalBins × HISTOGRAM_CELL`), for the grower's pool:
   * the builder fills and subtracts its own buffers in place.
   */
  allocateHistogram(): Float64Array;
  /** `parent -= child` over the current features (`subtractHistogram`). */
  subtract(parent: Float64Array, child: Float64Array): void;
  /** The split scan of numeric features over this builder's histograms, when it has its own. */
  readonly scanPlainNumeric?: PlainNumericScan;
  /**
   * The grower's `partitionRows` over `rows[begin..begin+count)`, when the builder has its own:
   * `rows` is its `rows` or `oobRows`, and the rows whose bin in the column starting at `column`
   * has `sideOfBin` 1 go left; returns how many.
   */
  partitionRows?(
    rows: Int32Array,
    begin: number,
    count: number,
    column: number,
    sideOfBin: Uint8Array,
  ): number;
  /** Releases threads; the builder cannot be used afterwards. */
  close(): void;
}

/** The JavaScript builder, on the calling thread. */
export class SerialHistogramBuilder implements HistogramBuilder {
  readonly rows: Int32Array;
  readonly oobRows: Int32Array;
  private readonly gh: Float64Array;
  private features: Int32Array = new Int32Array(0);
  private unitHessian = 0;

  constructor(
    private readonly bins: Uint8Array,
    private readonly nRows: number,
    private readonly binOffsets: Int32Array,
  ) {
    this.rows = new Int32Array(nRows);
    this.oobRows = new Int32Array(nRows);
    this.gh = new Float64Array(2 * nRows);
  }

  setFeatures(features: Int32Array): void {
    this.features = features;
  }

  allocateHistogram(): Float64Array {
    return new Float64Array(this.binOffsets[this.binOffsets.length - 1] * HISTOGRAM_CELL);
  }

  subtract(parent: Float64Array, child: Float64Array): void {
    subtractHistogram(parent, child, this.features, this.binOffsets);
  }

  setUnitHessian(unit: boolean): void {
    this.unitHessian = unit ? 1 : 0;
  }

  build(
    begin: number,
    count: number,
    allRows: boolean,
    grad: Float64Array,
    hess: Float64Array,
    out: Float64Array,
  ): void {
    gatherGradients(this.rows, begin, count, allRows, grad, hess, this.gh);
    accumulateHistograms(
      this.bins,
      this.nRows,
      this.rows,
      begin,
      count,
      allRows ? 1 : 0,
      this.unitHessian,
      this.gh,
      this.features,
      0,
      this.features.length,
      this.binOffsets,
      out,
    );
  }

  close(): void {}
}
