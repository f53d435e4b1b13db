/**
 * Feature binning: maps every value of a column to a small integer bin so that split finding works
 * on histograms instead of sorted values (LightGBM's BinMapper, XGBoost's hist).
 *
 * Numeric features get at most `maxBins` quantile bins plus a dedicated missing bin (NaN). A value v
 * falls in the first bin b with v ≤ upperBounds[b], so "bin ≤ t" is the same test as
 * "v ≤ upperBounds[t]" and fitted trees can predict on raw values.
 *
 * Categorical features get one bin per category code for the most frequent codes, an "other" bin
 * for the rest (and for codes unseen in training), and a missing bin.
 */

import { SalescastError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { FeatureMatrix } from '../estimator.js';
import { selectRows } from './sampling.js';

/** Most categories given their own bin; with "other" and "missing" that fills a Uint8 (256 values). */
export const MAX_CATEGORY_BINS = 254;

/**
 * Rows used to place bin boundaries: about 200 rows per bin at 255 bins, which pins quantiles well;
 * sorting every feature of a 200,000-row sample (LightGBM's default) cost seconds per fit.
 */
const BIN_SAMPLE_ROWS = 50_000;

export interface NumericBinning {
  readonly kind: 'numeric';
  /** Upper bound of each value bin, ascending; the last is +∞. Length = number of value bins. */
  readonly upperBounds: Float64Array;
  /** Index of the missing bin (= upperBounds.length). */
  readonly missingBin: number;
  /** Bins used including the missing bin. */
  readonly nBins: number;
}

export interface CategoricalBinning {
  readonly kind: 'categorical';
  /** The category code of each category bin, most frequent first. */
  readonly codes: Float64Array;
  /** Bin of codes not in `codes` (rare or unseen). */
  readonly otherBin: number;
  /** Bin of NaN. */
  readonly missingBin: number;
  readonly nBins: number;
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

/** The fitted binning of every feature, and where each feature's bins sit in a histogram. */
export interface BinMapper {
  readonly features: readonly FeatureBinning[];
  /** First histogram bin of each feature; length nFeatures + 1 (the last is the total). */
  readonly binOffsets: Int32Array;
  readonly totalBins: number;
}

/**
 * Places bin boundaries from `X` (a seeded sample of at most 50,000 rows when larger).
 * Categorical columns must hold non-negative integer codes or NaN.
 */
export function fitBinMapper(X: FeatureMatrix, maxBins: number, rng: Rng): BinMapper {
  const { nRows, nCols } = X;
  const categorical = new Set(X.categorical ?? []);
  let sample: Uint32Array | undefined;
  if (nRows > BIN_SAMPLE_ROWS) {
    sample = new Uint32Array(BIN_SAMPLE_ROWS);
    selectRows(nRows, BIN_SAMPLE_ROWS, rng, sample);
  }
  const features: FeatureBinning[] = [];
  const binOffsets = new Int32Array(nCols + 1);
  const values = new Float64Array(sample ? sample.length : nRows);
  for (let j = 0; j < nCols; j++) {
    const base = j * nRows;
    let m = 0;
    if (sample) {
      for (let k = 0; k < sample.length; k++) values[m++] = X.data[base + sample[k]];
    } else {
      for (let i = 0; i < nRows; i++) values[m++] = X.data[base + i];
    }
    const f = categorical.has(j) ? categoricalBinning(X, j) : numericBinning(values.subarray(0, m), maxBins);
    features.push(f);
    binOffsets[j + 1] = binOffsets[j] + f.nBins;
  }
  return { features, binOffsets, totalBins: binOffsets[nCols] };
}

/** Bins from a column's values; sorts `values` (scratch) in place. */
function numericBinning(values: Float64Array, maxBins: number): NumericBinning {
  // A typed-array sort is numeric and puts NaN last.
  const sorted = values.sort();
  let n = sorted.length;
  while (n > 0 && Number.isNaN(sorted[n - 1])) n--;
  // Compact the distinct values to the front of `sorted`, with their counts alongside.
  const counts = new Int32Array(n);
  let d = 0;
  for (let i = 0; i < n; i++) {
    if (d > 0 && sorted[i] === sorted[d - 1]) counts[d - 1]++;
    else {
      sorted[d] = sorted[i];
      counts[d++] = 1;
    }
  }
  const cuts: number[] = [];
  if (d <= maxBins) {
    for (let k = 0; k + 1 < d; k++) cuts.push(midpoint(sorted[k], sorted[k + 1]));
  } else {
    // Greedy equal-frequency cuts; the target is recomputed after each cut so that a heavy value
    // (one taking many bins' worth of rows) does not starve the bins after it.
    let acc = 0;
    let target = n / maxBins;
    for (let k = 0; k + 1 < d && cuts.length < maxBins - 1; k++) {
      acc += counts[k];
      if (acc >= target) {
        cuts.push(midpoint(sorted[k], sorted[k + 1]));
        target = acc + (n - acc) / (maxBins - cuts.length);
      }
    }
  }
  const upperBounds = new Float64Array(cuts.length + 1);
  upperBounds.set(cuts);
  upperBounds[cuts.length] = Number.POSITIVE_INFINITY;
  return { kind: 'numeric', upperBounds, missingBin: upperBounds.length, nBins: upperBounds.length + 1 };
}

/** A boundary strictly between a and b that keeps a in the lower bin and b in the upper one. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b || !Number.isFinite(m) ? a : m;
}

function categoricalBinning(X: FeatureMatrix, j: number): CategoricalBinning {
  const counts = new Map<number, number>();
  const base = j * X.nRows;
  for (let i = 0; i < X.nRows; i++) {
    const v = X.data[base + i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v) || v < 0) {
      const name = X.names?.[j] ?? `column ${j}`;
      throw new SalescastError(
        'INVALID_DATA',
        `Categorical feature '${name}' must hold non-negative integer codes; row ${i} has ${v}.`,
      );
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((p, q) => q[1] - p[1] || p[0] - q[0]);
  const codes = Float64Array.from(ranked.slice(0, MAX_CATEGORY_BINS), (e) => e[0]);
  return {
    kind: 'categorical',
    codes,
    otherBin: codes.length,
    missingBin: codes.length + 1,
    nBins: codes.length + 2,
  };
}

/** Bin of a numeric value: binary search for the first upper bound ≥ v. */
export function numericBin(b: NumericBinning, v: number): number {
  if (Number.isNaN(v)) return b.missingBin;
  const ub = b.upperBounds;
  let lo = 0;
  let hi = ub.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= ub[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A lookup code → bin for a categorical feature. */
export function categoryLookup(b: CategoricalBinning): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < b.codes.length; k++) m.set(b.codes[k], k);
  return m;
}

/** Bins every value of `X`: column-major Uint8Array, nRows × nCols. */
export function binMatrix(mapper: BinMapper, X: FeatureMatrix): Uint8Array {
  const { nRows, nCols, data } = X;
  const bins = new Uint8Array(nRows * nCols);
  for (let j = 0; j < nCols; j++) {
    const f = mapper.features[j];
    const base = j * nRows;
    if (f.kind === 'numeric') {
      binNumericColumn(f, data.subarray(base, base + nRows), bins.subarray(base, base + nRows));
    } else {
      const lookup = categoryLookup(f);
      for (let i = 0; i < nRows; i++) {
        const v = data[base + i];
        bins[base + i] = Number.isNaN(v) ? f.missingBin : (lookup.get(v) ?? f.otherBin);
      }
    }
  }
  return bins;
}

/** Cells of the lookup table that narrows each value's binary search to a few bins. */
const LOOKUP_CELLS = 4096;

/**
 * `numericBin` for a whole column, faster: an equal-width table over the finite cuts gives each
 * value a short range of candidate bins (the neighbouring cells' bins, so rounding in the cell
 * index cannot exclude the right one), searched by bisection. Same result as `numericBin`.
 */
function binNumericColumn(f: NumericBinning, values: Float64Array, out: Uint8Array): void {
  const ub = f.upperBounds;
  const last = ub.length - 1;
  const lo = ub[0];
  const hi = ub[Math.max(0, last - 1)];
  const width = (hi - lo) / LOOKUP_CELLS;
  if (!(width > 0) || !Number.isFinite(width)) {
    for (let i = 0; i < values.length; i++) out[i] = numericBin(f, values[i]);
    return;
  }
  const table = new Int32Array(LOOKUP_CELLS + 1);
  for (let c = 0; c <= LOOKUP_CELLS; c++) table[c] = numericBin(f, lo + c * width);
  const inv = 1 / width;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) out[i] = f.missingBin;
    else if (v <= lo) out[i] = 0;
    else if (v > hi) out[i] = last;
    else {
      const c = Math.min(LOOKUP_CELLS - 1, Math.floor((v - lo) * inv));
      let a = table[c > 0 ? c - 1 : 0];
      let b = table[Math.min(LOOKUP_CELLS, c + 2)];
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (v <= ub[mid]) b = mid;
        else a = mid + 1;
      }
      out[i] = a;
    }
  }
}
