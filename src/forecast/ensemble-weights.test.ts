import { describe, expect, it } from 'vitest';
import { ensembleWeights } from './ensemble-weights.js';

describe('ensembleWeights', () => {
  it('gives all weight to a perfect member and none to a useless one', () => {
    const y = Float64Array.of(1, 2, 3, 4);
    expect([...ensembleWeights(y, [Float64Array.of(9, 9, 9, 9), y.slice()])]).toEqual([0, 1]);
  });

  it('mixes members whose errors cancel', () => {
    const y = Float64Array.of(10, 10, 10, 10);
    const w = ensembleWeights(y, [
      Float64Array.of(12, 12, 12, 12),
      Float64Array.of(8, 8, 8, 8),
      Float64Array.of(30, 30, 30, 30),
    ]);
    expect([...w]).toEqual([0.5, 0.5, 0]);
  });

  it('ignores rows with a non-finite value and sums to one', () => {
    const y = Float64Array.of(1, Number.NaN, 3);
    const w = ensembleWeights(y, [Float64Array.of(1, 5, 3), Float64Array.of(2, 5, 2)]);
    expect([...w]).toEqual([1, 0]);
  });
});
