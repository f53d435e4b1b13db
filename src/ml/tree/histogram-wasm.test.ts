import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../../core/rng.js';
import { matrixFromColumns } from '../estimator.js';
import { createHistogramBuilder, HistogramThreads } from '../parallel/parallel-histogram-builder.js';
import { acquireWorkers, releaseWorkers } from '../parallel/worker-pool.js';
import { binMatrix, fitBinMapper } from './binning.js';
import {
  buildHistogramNaive,
  HISTOGRAM_CELL,
  type HistogramBuilder,
  SerialHistogramBuilder,
  subtractHistogram,
} from './histogram.js';
import { WasmHistogramBuilder, wasmHistogramBytes } from './histogram-wasm.js';
import { findBestSplit, SplitInfo, type SplitParams } from './splitter.js';
import { histogramKernelModule } from './wasm-kernels.js';

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

/** Builds one node with `builder` into `out`: `rows` placed at `begin` of its row array. */
function build(
  builder: HistogramBuilder,
  rows: number[],
  begin: number,
  features: Int32Array,
  h: Float64Array,
  unitHessian: boolean,
  out: Float64Array = new Float64Array(mapper.totalBins * HISTOGRAM_CELL),
): Float64Array {
  builder.setFeatures(features);
  builder.setUnitHessian(unitHessian);
  builder.rows.fill(-1);
  builder.rows.set(rows, begin);
  out.fill(-7);
  builder.build(begin, rows.length, false, grad, h, out);
  return out;
}

const params = (): SplitParams => ({
  minDataInLeaf: 1,
  minSumHessianInLeaf: 0,
  minGain: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  monotone: new Int8Array(7),
});

const bytesOf = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('the WebAssembly histogram kernels', () => {
  // An arena of two histograms: the third buffer the builder hands out is a plain array.
  const wasm = new WasmHistogramBuilder(bins, n, mapper.binOffsets, 2);
  const serial = new SerialHistogramBuilder(bins, n, mapper.binOffsets);
  const inArena = wasm.allocateHistogram();
  const alsoInArena = wasm.allocateHistogram();
  const plain = wasm.allocateHistogram();

  it('hand out the arena first, then plain arrays', () => {
    expect(inArena.buffer).toBe(alsoInArena.buffer);
    expect(alsoInArena.byteOffset).toBeGreaterThanOrEqual(inArena.byteOffset + inArena.byteLength);
    expect(plain.buffer).not.toBe(inArena.buffer);
    expect(plain.length).toBe(mapper.totalBins * HISTOGRAM_CELL);
  });

  it('give bit-identical histograms to the JavaScript kernel, node by node', () => {
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
          // Filled in place in the builder's memory, and through its scratch histogram.
          for (const out of [inArena, plain]) {
            build(wasm, rows, begin, features, h, unit, out);
            const where = `${what}, features ${features}, unit ${unit}`;
            expect(bytesOf(out).equals(bytesOf(expected)), where).toBe(true);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(48);
  });

  it('equal the naive reference, and a node of all rows needs no row list', () => {
    const features = Int32Array.of(0, 1, 2, 3, 4, 5, 6);
    wasm.setFeatures(features);
    wasm.setUnitHessian(false);
    wasm.rows.fill(-1);
    wasm.build(0, n, true, grad, hess, inArena);
    const naive = buildHistogramNaive(mapper, bins, n, allRows, grad, hess);
    for (let k = 0; k < inArena.length; k++) expect(inArena[k]).toBeCloseTo(naive[k], 9);
    // Every feature's counts add up to the rows.
    expect(inArena.filter((_, k) => k % HISTOGRAM_CELL === 2).reduce((s, v) => s + v, 0)).toBe(7 * n);
  });

  it('write only the bins of the features they are given', () => {
    const out = build(wasm, subset, 0, Int32Array.of(1, 4), hess, false, inArena);
    const written = (k: number) =>
      [1, 4].some(
        (f) => k >= mapper.binOffsets[f] * HISTOGRAM_CELL && k < mapper.binOffsets[f + 1] * HISTOGRAM_CELL,
      );
    let untouched = 0;
    for (let k = 0; k < out.length; k++) {
      if (!written(k)) {
        expect(out[k]).toBe(-7);
        untouched++;
      }
    }
    expect(untouched).toBe(
      HISTOGRAM_CELL * (mapper.totalBins - (mapper.features[1].nBins + mapper.features[4].nBins)),
    );
  });

  it('subtract a child from its parent exactly as the JavaScript subtraction does', () => {
    for (const features of [Int32Array.of(0, 1, 2, 3, 4, 5, 6), Int32Array.of(0, 2, 5), Int32Array.of(5)]) {
      const parent = build(serial, subset, 0, features, hess, false);
      const child = build(serial, subset.slice(0, 1200), 0, features, hess, false);
      const expected = Float64Array.from(parent);
      subtractHistogram(expected, child, features, mapper.binOffsets);
      // In place in the builder's memory (the SIMD kernel), and with a buffer from elsewhere.
      for (const [p, c] of [
        [inArena, alsoInArena],
        [inArena, plain],
      ]) {
        p.set(parent);
        c.set(child);
        wasm.setFeatures(features);
        wasm.subtract(p, c);
        expect(bytesOf(p).equals(bytesOf(expected)), `features ${features}`).toBe(true);
      }
    }
  });

  it('find the split the JavaScript scan finds, to the last bit of every field', () => {
    // Random histograms over the seven features, with empty bins, missing rows or none, and
    // parameters that make the row, hessian and gain thresholds bite.
    const random = createRng(5);
    const features = Int32Array.of(0, 1, 2, 3, 4, 5, 6);
    const fields = [
      'gain',
      'feature',
      'categorical',
      'thresholdBin',
      'defaultLeft',
      'leftGrad',
      'leftHess',
      'leftCount',
      'rightGrad',
      'rightHess',
      'rightCount',
      'leftOutput',
      'rightOutput',
    ] as const;
    let numericWins = 0;
    for (let trial = 0; trial < 300; trial++) {
      let [G, H, C] = [0, 0, 0];
      for (let b = 0; b < mapper.totalBins; b++) {
        const count = random.next() < 0.4 ? 0 : 1 + random.int(6);
        const g = count === 0 ? 0 : random.normal() * count;
        const h = count === 0 ? 0 : count * (0.2 + random.next());
        inArena.set([g, h, count], HISTOGRAM_CELL * b);
        G += g;
        H += h;
        C += count;
      }
      const node = { sumGrad: G, sumHess: H, count: C, lower: -Infinity, upper: Infinity };
      const p: SplitParams = {
        minDataInLeaf: 1 + random.int(40),
        minSumHessianInLeaf: random.next() < 0.5 ? 1e-3 : 5 * random.next(),
        minGain: random.next() < 0.5 ? 0 : random.next(),
        lambdaL1: 0,
        lambdaL2: random.next() < 0.5 ? 0 : 2 * random.next(),
        monotone: new Int8Array(7),
      };
      const js = new SplitInfo();
      const webAssembly = new SplitInfo();
      findBestSplit(inArena, mapper, features, 7, node, p, js);
      findBestSplit(inArena, mapper, features, 7, node, p, webAssembly, wasm.scanPlainNumeric);
      for (const field of fields)
        expect(Object.is(webAssembly[field], js[field]), `trial ${trial}, ${field}`).toBe(true);
      if (js.gain > Number.NEGATIVE_INFINITY && mapper.features[js.feature].kind === 'numeric') numericWins++;
    }
    // Most trials end on a numeric split, so the kernel's answer is the one compared.
    expect(numericWins).toBeGreaterThan(150);
    // A histogram outside the builder's memory is left to the JavaScript scan.
    const best = new SplitInfo();
    const node = { sumGrad: 1, sumHess: 1, count: 1, lower: -Infinity, upper: Infinity };
    expect(wasm.scanPlainNumeric!(plain, 0, 0, mapper.features[0].nBins - 1, node, 0, params(), best)).toBe(
      false,
    );
    expect(best.gain).toBe(Number.NEGATIVE_INFINITY);
  });

  it.each([
    ['rows', 300, 2000],
    ['oobRows', 700, 900],
  ] as const)('partition the %s of a node stably by the side of their bins', (which, begin, count) => {
    // Feature 4's low bins and its missing bin go left; the node sits in the middle of the rows.
    const f = 4;
    const sideOfBin = new Uint8Array(256);
    for (let b = 0; b < 256; b++) sideOfBin[b] = b <= 40 || b === mapper.features[f].nBins - 1 ? 1 : 0;
    const node = subset.slice(begin, begin + count);
    const rows = wasm[which];
    wasm.rows.fill(-1);
    wasm.oobRows.fill(-2);
    rows.set(node, begin);
    const goesLeft = (r: number) => sideOfBin[bins[f * n + r]] === 1;
    const left = node.filter(goesLeft);
    expect(left.length).toBeGreaterThan(count / 10);
    expect(left.length).toBeLessThan(count * 0.9);
    expect(wasm.partitionRows(rows, begin, node.length, f * n, sideOfBin)).toBe(left.length);
    expect(Array.from(rows.subarray(begin, begin + count))).toEqual([
      ...left,
      ...node.filter((r) => !goesLeft(r)),
    ]);
    // Rows outside the node, and the other row list, are untouched.
    expect(rows[begin - 1]).toBe(rows[0]);
    expect(rows[begin + count]).toBe(rows[0]);
    const other = which === 'rows' ? wasm.oobRows : wasm.rows;
    expect(other.every((r) => r === other[0])).toBe(true);
  });

  it('are the single-threaded builder whenever their memory can hold the data', () => {
    const builder = createHistogramBuilder(bins, n, mapper.binOffsets, 1, 32);
    expect(builder).toBeInstanceOf(WasmHistogramBuilder);
    builder.close();
    // Bins, then 4 bytes of row index and 16 of gradient pair per row, a scratch histogram (32 bytes a bin), the
    // split scan's five results, the partition's side table and scratch rows, the out-of-bag rows
    // and the arena's histograms, each part starting on 16 bytes.
    expect(wasmHistogramBytes(1000, 100, 50, 2)).toBe(
      1008 + 400 + 1600 + 1600 + 48 + 256 + 400 + 400 + 2 * 1600,
    );
  });

  it('report a thread that cannot instantiate them as a failed fit, not a hang', () => {
    const workers = acquireWorkers(1);
    expect(workers).toHaveLength(1);
    const threads = new HistogramThreads(workers!);
    try {
      // The unshared module cannot import shared memory, so the worker's instantiation fails.
      threads.attach({
        memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }),
        module: histogramKernelModule(false),
        features: new Int32Array(new SharedArrayBuffer(4)),
        binOffsets: Int32Array.of(0, 1),
        nRows: 1,
        ghAt: 0,
      });
      const job = { rowsAt: 0, count: 1, histAt: 0, nFeatures: 1, countStep: 1 };
      expect(() => threads.run(job, () => {})).toThrow('A histogram worker thread failed.');
    } finally {
      threads.close();
    }
    // The worker serves the next fit.
    const builder = createHistogramBuilder(bins, n, mapper.binOffsets, 2, 32);
    try {
      const features = Int32Array.of(0, 1, 2, 3, 4, 5, 6);
      expect(bytesOf(build(builder, subset, 0, features, hess, false))).toEqual(
        bytesOf(build(serial, subset, 0, features, hess, false)),
      );
    } finally {
      builder.close();
    }
  });

  it('leave the fit to the JavaScript builder when the process cannot reserve their memory', () => {
    // Memory exhaustion cannot be staged here, so the constructor fails as V8's does.
    const refused = vi.spyOn(WebAssembly, 'Memory').mockImplementation(function refuse() {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    });
    try {
      const builder = createHistogramBuilder(bins, n, mapper.binOffsets, 2, 32);
      expect(builder).toBeInstanceOf(SerialHistogramBuilder);
      expect(bytesOf(build(builder, subset, 0, Int32Array.of(0, 3), hess, false))).toEqual(
        bytesOf(build(serial, subset, 0, Int32Array.of(0, 3), hess, false)),
      );
    } finally {
      refused.mockRestore();
    }
    // The threads it had taken are back in the pool.
    expect(acquireWorkers(1)).toHaveLength(1);
    releaseWorkers();
  });
});
