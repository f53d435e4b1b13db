import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { matrixFromColumns } from '../estimator.js';
import { createHistogramBuilder } from '../parallel/parallel-histogram-builder.js';
import { binMatrix, fitBinMapper } from './binning.js';
import {
  buildHistogramNaive,
  HISTOGRAM_CELL,
  SerialHistogramBuilder,
  subtractHistogram,
} from './histogram.js';

const rng = createRng(11);
// Large enough that the two-thread builder really uses its worker (small nodes stay on the caller).
const n = 40000;
const columns = [
  Float64Array.from({ length: n }, () => rng.normal()),
  Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.next() * 10)),
  Float64Array.from({ length: n }, () => rng.int(7)),
  Float64Array.from({ length: n }, () => Math.round(rng.next() * 20)),
];
const X = matrixFromColumns(columns, { categorical: [2] });
const mapper = fitBinMapper(X, 64, createRng(1));
const bins = binMatrix(mapper, X);
const grad = Float64Array.from({ length: n }, () => rng.normal());
const hess = Float64Array.from({ length: n }, () => 0.5 + rng.next());
const allFeatures = Int32Array.of(0, 1, 2, 3);
const subset = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
const complement = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0);

function fill(rows: Int32Array, values: number[]): void {
  rows.set(values);
}

describe('histograms', () => {
  const parallel = createHistogramBuilder(bins, n, mapper.binOffsets, 2, 32);
  afterAll(() => parallel.close());

  it('the fast kernel equals the naive reference, for all rows and for a subset', () => {
    const b = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
    b.setFeatures(allFeatures);
    const out = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
    b.build(0, n, true, grad, hess, out);
    const naiveAll = buildHistogramNaive(
      mapper,
      bins,
      n,
      Array.from({ length: n }, (_, i) => i),
      grad,
      hess,
    );
    for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(naiveAll[k], 9);
    fill(b.rows, subset);
    b.build(0, subset.length, false, grad, hess, out);
    const naiveSub = buildHistogramNaive(mapper, bins, n, subset, grad, hess);
    for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(naiveSub[k], 9);
    // Counts are exact, and each feature's counts sum to the rows.
    expect(out.filter((_, k) => k % HISTOGRAM_CELL === 2).reduce((s, v) => s + v, 0)).toBe(4 * subset.length);
  });

  it('parent minus one child equals the naive histogram of the other child', () => {
    const b = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
    b.setFeatures(allFeatures);
    const parent = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
    const child = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
    b.build(0, n, true, grad, hess, parent);
    fill(b.rows, complement);
    b.build(0, complement.length, false, grad, hess, child);
    subtractHistogram(parent, child, allFeatures, mapper.binOffsets);
    const naive = buildHistogramNaive(mapper, bins, n, subset, grad, hess);
    for (let k = 0; k < parent.length; k++) expect(parent[k]).toBeCloseTo(naive[k], 9);
    // Over some features only (runs of consecutive ones and gaps), the others' bins stay as they were.
    const before = Float64Array.from(parent);
    const some = Int32Array.of(0, 2, 3);
    subtractHistogram(parent, child, some, mapper.binOffsets);
    const gap = [mapper.binOffsets[1] * HISTOGRAM_CELL, mapper.binOffsets[2] * HISTOGRAM_CELL];
    for (let k = 0; k < parent.length; k++)
      expect(parent[k]).toBe(k >= gap[0] && k < gap[1] ? before[k] : before[k] - child[k]);
  });

  it('the two-thread builder gives bit-identical histograms to the serial one', () => {
    const serial = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
    serial.setFeatures(allFeatures);
    parallel.setFeatures(allFeatures);
    for (const rows of [subset, complement, subset.slice(0, 40)]) {
      fill(serial.rows, rows);
      fill(parallel.rows, rows);
      const a = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
      const b = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
      serial.build(0, rows.length, false, grad, hess, a);
      parallel.build(0, rows.length, false, grad, hess, b);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
  });

  it('with unit hessians, takes counts from the hessian sums, serially and in parallel', () => {
    const ones = new Float64Array(n).fill(1);
    // A node with fewer rows than its features have bins counts its rows as it goes instead.
    const few = subset.slice(0, 10);
    expect(few.length * allFeatures.length).toBeLessThan(mapper.totalBins);
    for (const rows of [subset, few]) {
      const naive = buildHistogramNaive(mapper, bins, n, rows, grad, ones);
      for (const b of [new SerialHistogramBuilder(bins, n, mapper.binOffsets), parallel]) {
        b.setFeatures(allFeatures);
        b.setUnitHessian(true);
        fill(b.rows, rows);
        const out = new Float64Array(mapper.totalBins * HISTOGRAM_CELL).fill(7);
        b.build(0, rows.length, false, grad, ones, out);
        for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(naive[k], 9);
        b.setUnitHessian(false);
      }
    }
  });

  it('reattaches the pooled worker across many builders (one per fit) without stalling', () => {
    parallel.close();
    const serial = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
    serial.setFeatures(allFeatures);
    const expected = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
    serial.build(0, n, true, grad, hess, expected);
    for (let fit = 0; fit < 12; fit++) {
      const b = createHistogramBuilder(bins, n, mapper.binOffsets, 2, 32);
      b.setFeatures(allFeatures);
      const out = new Float64Array(mapper.totalBins * HISTOGRAM_CELL);
      for (let k = 0; k < 3; k++) b.build(0, n, true, grad, hess, out);
      b.close();
      expect(Buffer.from(out.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it('builds only the features it is given', () => {
    const b = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
    b.setFeatures(Int32Array.of(1));
    const out = new Float64Array(mapper.totalBins * HISTOGRAM_CELL).fill(-1);
    b.build(0, n, true, grad, hess, out);
    expect(out[0]).toBe(-1);
    const lo = mapper.binOffsets[1] * HISTOGRAM_CELL;
    const hi = mapper.binOffsets[2] * HISTOGRAM_CELL;
    expect(
      out
        .subarray(lo, hi)
        .filter((_, k) => k % HISTOGRAM_CELL === 2)
        .reduce((s, v) => s + v, 0),
    ).toBe(n);
    expect(out[hi]).toBe(-1);
  });
});
