import { describe, expect, test } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { fitPoissonRegression } from './poisson-regression.js';

/** n rows of two features, counts drawn from exp(b0 + b1 x1 + b2 x2), overdispersed when shape is set. */
function simulate(n: number, beta: [number, number, number], seed: number, shape?: number) {
  const rng = createRng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = rng.normal() * 0.3;
    x2[i] = rng.next() < 0.3 ? 1 : 0;
    const mu = Math.exp(beta[0] + beta[1] * x1[i] + beta[2] * x2[i]);
    y[i] = rng.poisson(shape === undefined ? mu : (mu * rng.gamma(shape)) / shape);
  }
  const data = new Float64Array(2 * n);
  data.set(x1, 0);
  data.set(x2, n);
  return { X: { nRows: n, nCols: 2, data }, y };
}

describe('fitPoissonRegression', () => {
  test('recovers the coefficients of a Poisson model', () => {
    const { X, y } = simulate(20_000, [1.2, -2, 0.5], 1);
    const fit = fitPoissonRegression(X, y);
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(1.2, 1);
    expect(fit.coefficients[0]).toBeCloseTo(-2, 1);
    expect(fit.coefficients[1]).toBeCloseTo(0.5, 1);
  });

  test('sandwich standard errors match the spread of estimates under overdispersion', () => {
    const slopes: number[] = [];
    const ses: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const { X, y } = simulate(1500, [1, -1.5, 0.3], 100 + seed, 2);
      const fit = fitPoissonRegression(X, y);
      slopes.push(fit.coefficients[0]);
      ses.push(fit.standardErrors[0]);
    }
    const mean = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / (slopes.length - 1));
    const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
    expect(Math.abs(mean + 1.5)).toBeLessThan(0.05);
    // The sandwich SE tracks the true sampling spread (within the noise of 40 replications).
    expect(meanSe / sd).toBeGreaterThan(0.75);
    expect(meanSe / sd).toBeLessThan(1.3);
  });

  test('a constant column is left undetermined (coefficient 0, SE NaN)', () => {
    const { X, y } = simulate(2000, [0.5, 1, 0], 3);
    const data = new Float64Array(3 * X.nRows);
    data.set(X.data, 0);
    data.fill(1, 2 * X.nRows);
    const fit = fitPoissonRegression({ nRows: X.nRows, nCols: 3, data }, y);
    expect(fit.coefficients[2]).toBe(0);
    expect(fit.standardErrors[2]).toBeNaN();
    expect(fit.coefficients[0]).toBeCloseTo(1, 1);
  });

  test('rejects negative counts, non-finite features and an all-zero target', () => {
    const X = { nRows: 2, nCols: 1, data: new Float64Array([0, 1]) };
    expect(() => fitPoissonRegression(X, new Float64Array([1, -1]))).toThrow(SalescastError);
    expect(() =>
      fitPoissonRegression({ ...X, data: new Float64Array([0, Number.NaN]) }, new Float64Array([1, 1])),
    ).toThrow(/column 0/);
    expect(() => fitPoissonRegression(X, new Float64Array([0, 0]))).toThrow(/0 on every row/);
  });
});
