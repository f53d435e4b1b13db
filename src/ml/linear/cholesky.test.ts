import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { solveSymmetricPositive } from './cholesky.js';

function matVec(A: Float64Array, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out[i] += A[i * n + k] * x[k];
  return out;
}

describe('solveSymmetricPositive', () => {
  it('solves a hand-checked 2 × 2 system', () => {
    // [[4, 2], [2, 3]] x = [2, 5]  →  x = [-0.5, 2]
    const x = solveSymmetricPositive(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 5]), 2);
    expect(x[0]).toBeCloseTo(-0.5, 14);
    expect(x[1]).toBeCloseTo(2, 14);
  });

  it('solves random positive definite systems to high accuracy without modifying inputs', () => {
    const rng = createRng(7);
    for (const n of [1, 3, 10, 40]) {
      // A = MᵀM + I is positive definite.
      const M = Float64Array.from({ length: n * n }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          for (let k = 0; k < n; k++) A[i * n + j] += M[k * n + i] * M[k * n + j];
          if (i === j) A[i * n + j] += 1;
        }
      const truth = Float64Array.from({ length: n }, () => rng.normal());
      const b = matVec(A, truth, n);
      const copyA = A.slice();
      const copyB = b.slice();
      const x = solveSymmetricPositive(A, b, n);
      for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(truth[i], 8);
      expect(A).toEqual(copyA);
      expect(b).toEqual(copyB);
    }
  });

  it('sets the unknown of a zero row/column to 0 and solves the rest', () => {
    // Unknown 1 is undetermined (its row and column are zero).
    const A = new Float64Array([2, 0, 1, 0, 0, 0, 1, 0, 2]);
    const x = solveSymmetricPositive(A, new Float64Array([3, 0, 3]), 3);
    expect(Array.from(x, (v) => Number(v.toFixed(12)))).toEqual([1, 0, 1]);
  });

  it('drops a duplicated (collinear) column and still fits the data', () => {
    // Columns 0 and 1 of the design are identical, so A is singular; any solution with x0 + x1 = 3 fits.
    const A = new Float64Array([2, 2, 2, 2]);
    const x = solveSymmetricPositive(A, new Float64Array([6, 6]), 2);
    expect(x[0] + x[1]).toBeCloseTo(3, 10);
    expect(x[1]).toBe(0);
  });
});
