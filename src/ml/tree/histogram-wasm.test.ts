import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { matrixFromColumns } from '../estimator.js';
import { createHistogramBuilder } from '../parallel/parallel-histogram-builder.js';
import { binMatrix, fitBinMapper } from './binning.js';
import { buildHistogramNaive, type HistogramBuilder, SerialHistogramBuilder } from './histogram.js';
import { WasmHistogramBuilder, wasmHistogramBytes } from './histogram-wasm.js';

const rng = createRng(23);
const n = 5000;
// Seven features: a run of four for the four-feature kernel, then a gap and two more for the
// one-feature kernel; numeric with and without missing values, and categorical.
const columns = [
  Float64Array.from({ length: n }, () => rng.normal()),
  Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.next() * 10)),
  Float64Array.from({ length: n }, () => rng.int(7)),
  Float64Array.from({ length: n }, () => Math.round(rng.next() * 20)),
  Float64Array.from({ length: n }, () => rng.normal() * 3),
  Float64Array.from({ length: n }, () => rng.int(3)),
  Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? Number.NaN : rng.normal())),
];
const X = matrixFromColumns(columns, { categorical: [2, 5] });
const mapper = fitBinMapper(X, 255, createRng(2));
const bins = binMatrix(mapper, X);
const grad = Float64Array.from({ length: n }, () => rng.normal());
const hess = Float64Array.from({ length: n }, () => 0.5 + rng.next());
const ones = new Float64Array(n).fill(1);
const allRows = Array.from({ length: n }, (_, i) => i);
const subset = allRows.filter((i) => i % 3 !== 0);

/** Builds one node with `builder`: `rows` placed at `begin` of its row array. */
function build(
  builder: HistogramBuilder,
  rows: number[],
  begin: number,
  features: Int32Array,
  h: Float64Array,
  unitHessian: boolean,
): Float64Array {
  builder.setFeatures(features);
  builder.setUnitHessian(unitHessian);
  builder.rows.fill(-1);
  builder.rows.set(rows, begin);
  const out = new Float64Array(mapper.totalBins * 3).fill(-7);
  builder.build(begin, rows.length, false, grad, h, out);
  return out;
}

const bytesOf = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('the WebAssembly histogram kernel', () => {
  const wasm = new WasmHistogramBuilder(bins, n, mapper.binOffsets);
  const serial = new SerialHistogramBuilder(bins, n, mapper.binOffsets);

  it('gives bit-identical histograms to the JavaScript kernel, node by node', () => {
    const nodes: Array<[string, number[], number]> = [
      ['a subset of rows', subset, 0],
      ['a node in the middle of the row array', subset.slice(100, 900), 100],
      ['a node of a dozen rows', subset.slice(0, 12), 4000],
    ];
    const featureLists = [
      Int32Array.of(0, 1, 2, 3, 4, 5, 6),
      Int32Array.of(0, 1, 2, 3, 5, 6),
      Int32Array.of(1, 4),
      Int32Array.of(6),
    ];
    let compared = 0;
    for (const [what, rows, begin] of nodes) {
      for (const features of featureLists) {
        for (const [h, unit] of [
          [hess, false],
          [ones, true],
        ] as const) {
          const expected = build(serial, rows, begin, features, h, unit);
          const actual = build(wasm, rows, begin, features, h, unit);
          expect(
            bytesOf(actual).equals(bytesOf(expected)),
            `${what}, features ${features}, unit ${unit}`,
          ).toBe(true);
          compared++;
        }
      }
    }
    expect(compared).toBe(24);
  });

  it('equals the naive reference, and a node of all rows needs no row list', () => {
    const features = Int32Array.of(0, 1, 2, 3, 4, 5, 6);
    wasm.setFeatures(features);
    wasm.setUnitHessian(false);
    // The grower numbers the rows of a node of all rows itself.
    for (let i = 0; i < n; i++) wasm.rows[i] = i;
    const out = new Float64Array(mapper.totalBins * 3);
    wasm.build(0, n, true, grad, hess, out);
    const naive = buildHistogramNaive(mapper, bins, n, allRows, grad, hess);
    for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(naive[k], 9);
    // Every feature's counts add up to the rows.
    expect(out.filter((_, k) => k % 3 === 2).reduce((s, v) => s + v, 0)).toBe(7 * n);
  });

  it('writes only the bins of the features it is given', () => {
    const out = build(wasm, subset, 0, Int32Array.of(1, 4), hess, false);
    const written = (k: number) =>
      [1, 4].some((f) => k >= mapper.binOffsets[f] * 3 && k < mapper.binOffsets[f + 1] * 3);
    let untouched = 0;
    for (let k = 0; k < out.length; k++) {
      if (!written(k)) {
        expect(out[k]).toBe(-7);
        untouched++;
      }
    }
    expect(untouched).toBe(3 * (mapper.totalBins - (mapper.features[1].nBins + mapper.features[4].nBins)));
  });

  it('is the single-threaded builder whenever its memory can hold the data', () => {
    const builder = createHistogramBuilder(bins, n, mapper.binOffsets, 1);
    expect(builder).toBeInstanceOf(WasmHistogramBuilder);
    builder.close();
    // Bins, then 4 bytes of row index and 16 of gradient pair per row, then one histogram, each
    // part starting on 16 bytes.
    expect(wasmHistogramBytes(1000, 100, 50)).toBe(1008 + 400 + 1600 + 1200);
  });
});
