import { describe, expect, it } from 'vitest';
import type { BinMapper } from './binning.js';
import { HISTOGRAM_CELL } from './histogram.js';
import {
  findBestSplit,
  gainGivenOutput,
  leafOutput,
  SplitInfo,
  type SplitParams,
  sortBinsByRatio,
} from './splitter.js';

const params = (over: Partial<SplitParams> = {}): SplitParams => ({
  minDataInLeaf: 1,
  minSumHessianInLeaf: 0,
  minGain: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  monotone: new Int8Array(1),
  ...over,
});

/** A histogram buffer from [grad, hess, count] per bin. */
function histogramOf(perBin: Array<[number, number, number]>): Float64Array {
  const hist = new Float64Array(perBin.length * HISTOGRAM_CELL);
  for (const [b, cell] of perBin.entries()) hist.set(cell, b * HISTOGRAM_CELL);
  return hist;
}

/** One numeric feature with 4 value bins and a missing bin; per bin [grad, hess, count]. */
function numericCase(perBin: Array<[number, number, number]>) {
  const mapper: BinMapper = {
    features: [
      {
        kind: 'numeric',
        upperBounds: Float64Array.of(1, 2, 3, Number.POSITIVE_INFINITY),
        missingBin: 4,
        nBins: 5,
      },
    ],
    binOffsets: Int32Array.of(0, 5),
    totalBins: 5,
  };
  const hist = histogramOf(perBin);
  const [G, H, C] = perBin.reduce((a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]], [0, 0, 0]);
  const node = {
    sumGrad: G,
    sumHess: H,
    count: C,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
  };
  return { mapper, hist, node };
}

describe('leaf outputs and gains', () => {
  it('are Newton steps with L1 soft-thresholding and L2 shrinkage, clamped to bounds', () => {
    expect(leafOutput(-6, 2, params(), -Infinity, Infinity)).toBe(3);
    expect(leafOutput(-6, 2, params({ lambdaL2: 1 }), -Infinity, Infinity)).toBe(2);
    expect(leafOutput(-6, 2, params({ lambdaL1: 4 }), -Infinity, Infinity)).toBe(1);
    expect(leafOutput(-3, 2, params({ lambdaL1: 4 }), -Infinity, Infinity)).toBe(0);
    expect(leafOutput(-6, 2, params(), -Infinity, 1.5)).toBe(1.5);
    // The unconstrained output maximises the gain G²/H.
    expect(gainGivenOutput(-6, 2, params(), 3)).toBe(18);
    expect(gainGivenOutput(-6, 2, params(), 2.5)).toBeLessThan(18);
  });
});

describe('findBestSplit', () => {
  it('splits where the gradients change sign and sends missing rows the better way', () => {
    // Bins 0–1 want +1, bins 2–3 want −1; the missing rows look like the high bins.
    const { mapper, hist, node } = numericCase([
      [-5, 5, 5],
      [-5, 5, 5],
      [5, 5, 5],
      [5, 5, 5],
      [4, 4, 4],
    ]);
    const best = new SplitInfo();
    findBestSplit(hist, mapper, Int32Array.of(0), 1, node, params(), best);
    expect(best.feature).toBe(0);
    expect(best.thresholdBin).toBe(1);
    expect(best.defaultLeft).toBe(false);
    expect([best.leftOutput, best.rightOutput]).toEqual([1, -1]);
    expect(best.gain).toBeCloseTo(100 / 10 + 14 ** 2 / 14 - 4 ** 2 / 24, 12);
  });

  it('rejects splits that break a monotone constraint, and splits below minDataInLeaf', () => {
    const { mapper, hist, node } = numericCase([
      [-5, 5, 5],
      [-5, 5, 5],
      [5, 5, 5],
      [5, 5, 5],
      [0, 0, 0],
    ]);
    const best = new SplitInfo();
    // The data want a decreasing step; +1 forbids every split that decreases.
    findBestSplit(hist, mapper, Int32Array.of(0), 1, node, params({ monotone: Int8Array.of(1) }), best);
    expect(best.gain).toBe(Number.NEGATIVE_INFINITY);
    findBestSplit(hist, mapper, Int32Array.of(0), 1, node, params({ minDataInLeaf: 11 }), best);
    expect(best.gain).toBe(Number.NEGATIVE_INFINITY);
    findBestSplit(hist, mapper, Int32Array.of(0), 1, node, params({ monotone: Int8Array.of(-1) }), best);
    expect(best.thresholdBin).toBe(1);
  });

  it('groups categories by their gradient ratio', () => {
    // Six categories: 0, 2, 4 want +1; 1, 3, 5 want −1 (not contiguous in code order).
    const perBin: Array<[number, number, number]> = [];
    for (let c = 0; c < 6; c++) perBin.push(c % 2 === 0 ? [-4, 4, 4] : [4, 4, 4]);
    perBin.push([0, 0, 0], [0, 0, 0]); // other, missing
    const mapper: BinMapper = {
      features: [
        {
          kind: 'categorical',
          codes: Float64Array.of(0, 1, 2, 3, 4, 5),
          otherBin: 6,
          missingBin: 7,
          nBins: 8,
        },
      ],
      binOffsets: Int32Array.of(0, 8),
      totalBins: 8,
    };
    const node = {
      sumGrad: 0,
      sumHess: 24,
      count: 24,
      lower: Number.NEGATIVE_INFINITY,
      upper: Number.POSITIVE_INFINITY,
    };
    const best = new SplitInfo();
    findBestSplit(histogramOf(perBin), mapper, Int32Array.of(0), 1, node, params(), best);
    expect(best.categorical).toBe(true);
    const left = [0, 1, 2, 3, 4, 5].filter((c) => best.leftBins[c] === 1);
    expect(left.length === 3 && left.every((c) => c % 2 === left[0] % 2)).toBe(true);
  });
});

describe('sortBinsByRatio', () => {
  it('orders bins by ratio, then by bin, as a comparator sort does, at every length', () => {
    let state = 7;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (const n of [2, 3, 15, 16, 17, 31, 32, 33, 100, 254, 256]) {
      // Few distinct ratios, so ties (broken by bin) are common; some are −0 and +0.
      const ratio = Float64Array.from(
        { length: 256 },
        () => Math.round(rand() * 8 - 4) / 4 || (rand() < 0.5 ? -0 : 0),
      );
      const bins = Int32Array.from({ length: n }, (_, k) => k).reverse();
      for (let k = n - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [bins[k], bins[j]] = [bins[j], bins[k]];
      }
      const expected = [...bins].sort((a, b) => ratio[a] - ratio[b] || a - b);
      expect([...sortBinsByRatio(bins, n, ratio, new Int32Array(256))]).toEqual(expected);
    }
  });
});
