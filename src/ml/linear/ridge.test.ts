import { describe, expect, it } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { matrixFromColumns } from '../estimator.js';
import { Ridge } from './ridge.js';

describe('Ridge', () => {
  it('matches the one-feature closed form slope = Sxy / (Sxx + alpha)', () => {
    const x = [1, 2, 3, 4, 5];
    const y = new Float64Array([2.1, 3.9, 6.2, 7.8, 10.1]);
    const alpha = 2;
    const xm = 3;
    const ym = y.reduce((a, b) => a + b) / 5;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < 5; i++) {
      sxy += (x[i] - xm) * (y[i] - ym);
      sxx += (x[i] - xm) ** 2;
    }
    const m = new Ridge({ alpha }).fit(matrixFromColumns([x]), y);
    expect(m.coefficients[0]).toBeCloseTo(sxy / (sxx + alpha), 12);
    expect(m.intercept).toBeCloseTo(ym - (sxy / (sxx + alpha)) * xm, 12);
  });

  it('recovers exact coefficients from noise-free data with alpha = 0', () => {
    const rng = createRng(1);
    const n = 200;
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal() * 3 + 10));
    const y = Float64Array.from(
      { length: n },
      (_, i) => 5 + 2 * cols[0][i] - 1.5 * cols[1][i] + 0.25 * cols[2][i],
    );
    const m = new Ridge({ alpha: 0 }).fit(matrixFromColumns(cols), y);
    expect(Array.from(m.coefficients, (c) => Number(c.toFixed(9)))).toEqual([2, -1.5, 0.25]);
    expect(m.intercept).toBeCloseTo(5, 8);
  });

  it('shrinks coefficients toward 0 as alpha grows, and leaves the intercept unpenalized', () => {
    const rng = createRng(2);
    const n = 100;
    const col = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(col, (v) => 50 + 3 * v + rng.normal() * 0.1);
    const slopes = [0, 10, 1000, 1e9].map(
      (alpha) => new Ridge({ alpha }).fit(matrixFromColumns([col]), y).coefficients[0],
    );
    for (let k = 1; k < slopes.length; k++) expect(Math.abs(slopes[k])).toBeLessThan(Math.abs(slopes[k - 1]));
    const flat = new Ridge({ alpha: 1e12 }).fit(matrixFromColumns([col]), y);
    const yMean = y.reduce((a, b) => a + b) / n;
    expect(flat.predictRow(new Float64Array([3]))).toBeCloseTo(yMean, 4);
  });

  it('without an intercept fits through the origin', () => {
    const x = [1, 2, 3];
    const y = new Float64Array([2, 4, 7]);
    const m = new Ridge({ alpha: 0, fitIntercept: false }).fit(matrixFromColumns([x]), y);
    // slope = Σxy / Σx² = (2 + 8 + 21) / 14
    expect(m.coefficients[0]).toBeCloseTo(31 / 14, 12);
    expect(m.intercept).toBe(0);
  });

  it('treats integer sample weights like repeated rows', () => {
    const x = [0, 1, 2, 3];
    const y = new Float64Array([1, 3, 2, 6]);
    const weighted = new Ridge({ alpha: 0.5 }).fit(matrixFromColumns([x]), y, {
      sampleWeight: new Float64Array([1, 3, 1, 2]),
    });
    const repeated = new Ridge({ alpha: 0.5 }).fit(
      matrixFromColumns([[0, 1, 1, 1, 2, 3, 3]]),
      new Float64Array([1, 3, 3, 3, 2, 6, 6]),
    );
    expect(weighted.coefficients[0]).toBeCloseTo(repeated.coefficients[0], 12);
    expect(weighted.intercept).toBeCloseTo(repeated.intercept, 12);
  });

  it('imputes missing numeric values with the training mean of the column', () => {
    const x = [1, Number.NaN, 3, 5];
    const y = new Float64Array([1, 2, 3, 5]);
    const m = new Ridge({ alpha: 0 }).fit(matrixFromColumns([x]), y);
    expect(m.means[0]).toBe(3);
    expect(m.predictRow(new Float64Array([Number.NaN]))).toBeCloseTo(m.predictRow(new Float64Array([3])), 12);
  });

  it('one-hot encodes categorical columns: group means, and unseen/missing categories at the baseline', () => {
    const codes = [0, 0, 1, 1, 2, 2, 7, 7];
    const y = new Float64Array([1, 1, 5, 5, -2, -2, 4, 4]);
    const m = new Ridge({ alpha: 1e-9 }).fit(matrixFromColumns([codes], { categorical: [0] }), y);
    expect(m.coefficients.length).toBe(4);
    expect(Array.from(m.featureTerms(0).categories ?? [])).toEqual([0, 1, 2, 7]);
    for (const [code, mean] of [
      [0, 1],
      [1, 5],
      [2, -2],
      [7, 4],
    ]) {
      expect(m.predictRow(new Float64Array([code]))).toBeCloseTo(mean, 6);
    }
    // A category unseen at fit and a missing one both get the all-zero encoding.
    const unseen = m.predictRow(new Float64Array([3]));
    expect(m.predictRow(new Float64Array([Number.NaN]))).toBe(unseen);
    expect(unseen).toBeCloseTo(m.intercept, 12);
  });

  it('fits categorical columns exactly as their explicit one-hot columns (sparse path = dense path)', () => {
    const rng = createRng(9);
    const n = 700;
    const num = Float64Array.from({ length: n }, () =>
      rng.next() < 0.05 ? Number.NaN : 50 + rng.normal() * 5,
    );
    const catA = Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? Number.NaN : rng.int(5) * 3));
    const catB = Float64Array.from({ length: n }, () => rng.int(3));
    const num2 = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(
      { length: n },
      (_, i) => 0.2 * (num[i] || 50) + (catA[i] || 0) - catB[i] + num2[i] + rng.normal(),
    );
    const weight = Float64Array.from({ length: n }, () => rng.next() * 2);
    const oneHot = (col: Float64Array, codes: number[]) =>
      codes.map((c) => Float64Array.from(col, (v) => (v === c ? 1 : 0)));
    const categoricalX = matrixFromColumns([num, catA, num2, catB], { categorical: [1, 3] });
    const explicitX = matrixFromColumns([
      num,
      ...oneHot(catA, [0, 3, 6, 9, 12]),
      num2,
      ...oneHot(catB, [0, 1, 2]),
    ]);
    for (const fitIntercept of [true, false]) {
      for (const sampleWeight of [undefined, weight]) {
        const a = new Ridge({ alpha: 0.3, fitIntercept }).fit(categoricalX, y, { sampleWeight });
        const b = new Ridge({ alpha: 0.3, fitIntercept }).fit(explicitX, y, { sampleWeight });
        const ca = a.coefficients;
        const cb = b.coefficients;
        expect(ca.length).toBe(10);
        for (let d = 0; d < 10; d++) expect(ca[d]).toBeCloseTo(cb[d], 9);
        expect(a.intercept).toBeCloseTo(b.intercept, 8);
      }
    }
  });

  it('refuses a one-hot design of more than 4096 columns', () => {
    const codes = Float64Array.from({ length: 5000 }, (_, i) => i);
    const X = matrixFromColumns([codes], { categorical: [0] });
    expect(() => new Ridge().fit(X, new Float64Array(5000))).toThrow(
      'Ridge would one-hot encode 1 features into 5000 columns, more than 4096',
    );
  });

  it('gives degenerate columns coefficient 0 when alpha = 0', () => {
    const x = [1, 2, 3, 4];
    const constant = [5, 5, 5, 5];
    const y = new Float64Array([2, 4, 6, 8]);
    const m = new Ridge({ alpha: 0 }).fit(matrixFromColumns([x, constant]), y);
    expect(m.coefficients[0]).toBeCloseTo(2, 12);
    expect(m.coefficients[1]).toBe(0);
    expect(m.predictRow(new Float64Array([10, 5]))).toBeCloseTo(20, 10);
  });

  it('contributions sum with the expected value to the prediction', () => {
    const rng = createRng(3);
    const n = 60;
    const num = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal()));
    const cat = Float64Array.from({ length: n }, () => rng.int(4));
    const y = Float64Array.from(
      { length: n },
      (_, i) => 2 * (Number.isNaN(num[i]) ? 0 : num[i]) + cat[i] + rng.normal(),
    );
    const X = matrixFromColumns([num, cat], { categorical: [1] });
    const m = new Ridge().fit(X, y);
    const { values, expectedValue } = m.contributions(X);
    const pred = m.predict(X);
    for (let i = 0; i < n; i++)
      expect(expectedValue + values[2 * i] + values[2 * i + 1]).toBeCloseTo(pred[i], 10);
    // The expected value is the weighted mean target when an intercept is fitted.
    expect(expectedValue).toBeCloseTo(y.reduce((a, b) => a + b) / n, 10);
    // A numeric feature at its mean contributes nothing.
    const atMean = m.contributions(matrixFromColumns([[m.means[0]], [0]], { categorical: [1] }));
    expect(atMean.values[0]).toBeCloseTo(0, 12);
  });

  it('rejects a negative alpha with the shared message', () => {
    expect(() => new Ridge({ alpha: -1 }).fit(matrixFromColumns([[1, 2]]), new Float64Array([1, 2]))).toThrow(
      "The 'alpha' parameter of Ridge must be a number in [0, ∞); got -1 instead.",
    );
  });

  it('names the feature counts when predictRow gets a row of the wrong length', () => {
    const m = new Ridge().fit(matrixFromColumns([[1, 2, 3]]), new Float64Array([1, 2, 3]));
    let error: unknown;
    try {
      m.predictRow(new Float64Array(2));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SalescastError);
    expect((error as SalescastError).message).toBe('X has 2 features, but Ridge was fitted with 1 features.');
  });
});
