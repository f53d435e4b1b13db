import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { matrixFromColumns } from '../estimator.js';
import { binMatrix, fitBinMapper, MAX_CATEGORY_BINS, numericBin } from './binning.js';

describe('fitBinMapper', () => {
  it('gives each distinct value its own bin when there are few, with a missing bin after them', () => {
    const X = matrixFromColumns([Float64Array.of(3, 1, 2, Number.NaN, 2, 1)]);
    const m = fitBinMapper(X, 255, createRng(1));
    const f = m.features[0];
    expect(f.kind).toBe('numeric');
    if (f.kind !== 'numeric') return;
    expect(Array.from(f.upperBounds)).toEqual([1.5, 2.5, Number.POSITIVE_INFINITY]);
    expect(f.missingBin).toBe(3);
    expect(Array.from(binMatrix(m, X))).toEqual([2, 0, 1, 3, 1, 0]);
  });

  it('caps numeric bins at maxBins with roughly equal counts', () => {
    const rng = createRng(2);
    const col = Float64Array.from({ length: 10000 }, () => rng.normal());
    const m = fitBinMapper(matrixFromColumns([col]), 16, createRng(1));
    const f = m.features[0];
    if (f.kind !== 'numeric') throw new Error('numeric expected');
    expect(f.upperBounds.length).toBe(16);
    const counts = new Array(17).fill(0);
    for (const b of binMatrix(m, matrixFromColumns([col]))) counts[b]++;
    for (let b = 0; b < 16; b++) expect(counts[b]).toBeGreaterThan(10000 / 16 / 2);
    expect(counts[16]).toBe(0);
  });

  it('bins a value v into the first bin whose upper bound is ≥ v, so thresholds work on raw values', () => {
    const rng = createRng(3);
    const col = Float64Array.from({ length: 3000 }, () => Math.round(rng.next() * 1000) / 10);
    const m = fitBinMapper(matrixFromColumns([col]), 32, createRng(1));
    const f = m.features[0];
    if (f.kind !== 'numeric') throw new Error('numeric expected');
    for (const v of [...col.slice(0, 200), -5, 1e9, 50.05]) {
      const b = numericBin(f, v);
      expect(v).toBeLessThanOrEqual(f.upperBounds[b]);
      if (b > 0) expect(v).toBeGreaterThan(f.upperBounds[b - 1]);
    }
  });

  it('maps categorical codes to bins by frequency, the rest to "other", NaN to missing', () => {
    const codes = [7, 7, 7, 2, 2, 9, Number.NaN];
    const X = matrixFromColumns([Float64Array.from(codes)], { categorical: [0] });
    const m = fitBinMapper(X, 255, createRng(1));
    const f = m.features[0];
    expect(f.kind).toBe('categorical');
    if (f.kind !== 'categorical') return;
    expect(Array.from(f.codes)).toEqual([7, 2, 9]);
    expect([f.otherBin, f.missingBin, f.nBins]).toEqual([3, 4, 5]);
    expect(Array.from(binMatrix(m, X))).toEqual([0, 0, 0, 1, 1, 2, 4]);
    const unseen = matrixFromColumns([Float64Array.of(123)], { categorical: [0] });
    expect(Array.from(binMatrix(m, unseen))).toEqual([3]);
  });

  it(`keeps the ${MAX_CATEGORY_BINS} most frequent categories and sends the rarest to "other"`, () => {
    const codes: number[] = [];
    for (let c = 0; c < 300; c++) for (let k = 0; k < (c < 254 ? 3 : 1); k++) codes.push(c);
    const X = matrixFromColumns([Float64Array.from(codes)], { categorical: [0] });
    const m = fitBinMapper(X, 255, createRng(1));
    const f = m.features[0];
    if (f.kind !== 'categorical') throw new Error('categorical expected');
    expect(f.codes.length).toBe(MAX_CATEGORY_BINS);
    expect(f.nBins).toBe(256);
    const bins = binMatrix(m, matrixFromColumns([Float64Array.of(299, 0)], { categorical: [0] }));
    expect(Array.from(bins)).toEqual([f.otherBin, 0]);
  });

  it('rejects categorical values that are not non-negative integers', () => {
    const X = matrixFromColumns([Float64Array.of(1, 2.5)], { names: ['store'], categorical: [0] });
    expect(() => fitBinMapper(X, 255, createRng(1))).toThrow(
      /'store' must hold non-negative integer codes; row 1 has 2.5/,
    );
  });

  it('offsets every feature in the histogram by the bins of the features before it', () => {
    const X = matrixFromColumns([Float64Array.of(1, 2, 3), Float64Array.of(0, 0, 1)], { categorical: [1] });
    const m = fitBinMapper(X, 255, createRng(1));
    expect(Array.from(m.binOffsets)).toEqual([0, 4, 8]);
    expect(m.totalBins).toBe(8);
  });
});

describe('binMatrix', () => {
  it('bins every value exactly as numericBin does, also for skewed data and extreme values', () => {
    const rng = createRng(9);
    const skewed = Float64Array.from({ length: 20000 }, () => Math.exp(4 * rng.normal()));
    const discrete = Float64Array.from({ length: 20000 }, () => rng.int(40) / 7);
    for (const col of [skewed, discrete]) {
      col[0] = Number.NaN;
      col[1] = Number.POSITIVE_INFINITY;
      col[2] = Number.NEGATIVE_INFINITY;
      col[3] = 1e308;
      const X = matrixFromColumns([col]);
      const m = fitBinMapper(X, 255, createRng(1));
      const f = m.features[0];
      if (f.kind !== 'numeric') throw new Error('numeric expected');
      const bins = binMatrix(m, X);
      for (let i = 0; i < col.length; i++) expect(bins[i]).toBe(numericBin(f, col[i]));
    }
  });
});
