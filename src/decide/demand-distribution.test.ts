import { describe, expect, test } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import {
  negativeBinomialDemand,
  negativeBinomialFromVariance,
  normalDemand,
  poissonDemand,
  quantileDemand,
  sampleDemand,
} from './demand-distribution.js';

function invalidField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SalescastError);
    expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
    return (e as SalescastError).location.field;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('Poisson demand', () => {
  const d = poissonDemand(10);
  test('quantile is the smallest count with CDF ≥ p (CDF(14) = 0.9165, CDF(15) = 0.9513)', () => {
    expect(d.quantile(0.95)).toBe(15);
    expect(d.quantile(0.9)).toBe(14);
    expect(d.cdf(14)).toBeCloseTo(0.9165415, 6);
    expect(d.cdf(15)).toBeCloseTo(0.9512596, 6);
    expect(d.cdf(-1)).toBe(0);
  });
  test('expected shortfall E[(D − 10)⁺] = 1.2511', () => {
    expect(d.expectedShortfall(10)).toBeCloseTo(1.2511004, 6);
    expect(poissonDemand(4).expectedShortfall(5)).toBeCloseTo(0.4103042, 6);
    expect(d.expectedShortfall(0)).toBeCloseTo(10, 9);
  });
  test('large means do not underflow', () => {
    const big = poissonDemand(2000);
    expect(big.quantile(0.5)).toBeGreaterThanOrEqual(1999);
    expect(big.quantile(0.5)).toBeLessThanOrEqual(2001);
    expect(big.quantile(0.975)).toBeCloseTo(2000 + 1.96 * Math.sqrt(2000), -1);
  });
  test('zero demand', () => {
    const zero = poissonDemand(0);
    expect(zero.quantile(0.99)).toBe(0);
    expect(zero.expectedShortfall(0)).toBe(0);
    expect(zero.cdf(0)).toBe(1);
  });
});

describe('negative binomial demand', () => {
  test('matches the pmf sums: NB(mean 10, shape 6) q0.95 = 20, E[(D − 15)⁺] = 0.6020', () => {
    const d = negativeBinomialDemand(10, 6);
    expect(d.variance).toBeCloseTo(10 + 100 / 6, 9);
    expect(d.quantile(0.95)).toBe(20);
    expect(d.cdf(20)).toBeCloseTo(0.9618005, 6);
    expect(d.expectedShortfall(15)).toBeCloseTo(0.6020345, 6);
  });
  test('sampling reproduces the mean and variance', () => {
    const d = negativeBinomialDemand(8, 3);
    const rng = createRng(5);
    let s = 0;
    let s2 = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const x = d.sample(rng);
      s += x;
      s2 += x * x;
    }
    expect(s / n).toBeCloseTo(8, 1);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(8 + 64 / 3, 0);
  });
  test('from a variance: overdispersed → NB, otherwise Poisson', () => {
    expect(negativeBinomialFromVariance(10, 30).kind).toBe('negative-binomial');
    expect(negativeBinomialFromVariance(10, 30).variance).toBeCloseTo(30, 9);
    expect(negativeBinomialFromVariance(10, 8).kind).toBe('poisson');
  });
});

describe('normal demand', () => {
  const d = normalDemand(100, 20);
  test('quantile μ + zσ and shortfall σ L(z)', () => {
    expect(d.quantile(0.95)).toBeCloseTo(132.8971, 3);
    expect(d.expectedShortfall(100)).toBeCloseTo(7.978846, 5);
    expect(d.cdf(100)).toBeCloseTo(0.5, 7);
  });
  test('sd 0 is a point mass', () => {
    const point = normalDemand(7, 0);
    expect(point.expectedShortfall(5)).toBe(2);
    expect(point.cdf(6.9)).toBe(0);
    expect(point.quantile(0.3)).toBe(7);
  });
});

describe('quantile demand', () => {
  // Knots (0, 3.75), (0.1, 5), (0.5, 10), (0.9, 20), (1, 22.5) after tail extrapolation.
  const d = quantileDemand([0.1, 0.5, 0.9], [5, 10, 20]);
  test('interpolates the quantile function and its inverse', () => {
    expect(d.quantile(0.5)).toBeCloseTo(10, 12);
    expect(d.quantile(0.7)).toBeCloseTo(15, 12);
    expect(d.quantile(0.05)).toBeCloseTo(4.375, 12);
    expect(d.cdf(15)).toBeCloseTo(0.7, 12);
    expect(d.cdf(3)).toBe(0);
    expect(d.cdf(23)).toBe(1);
  });
  test('mean and shortfall integrate the piecewise-linear quantile function exactly', () => {
    expect(d.mean).toBeCloseTo(11.5625, 12);
    expect(d.expectedShortfall(20)).toBeCloseTo(0.125, 12);
    expect(d.expectedShortfall(0)).toBeCloseTo(11.5625, 12);
    expect(d.expectedShortfall(30)).toBe(0);
  });
  test('crossed quantiles are sorted back into order', () => {
    const crossed = quantileDemand([0.1, 0.5, 0.9], [10, 5, 20]);
    expect(crossed.quantile(0.1)).toBeCloseTo(5, 12);
    expect(crossed.quantile(0.5)).toBeCloseTo(10, 12);
  });
  test('bad levels and values name the field', () => {
    expect(invalidField(() => quantileDemand([0.5, 0.4], [1, 2]))).toBe('levels[1]');
    expect(invalidField(() => quantileDemand([0, 0.5], [1, 2]))).toBe('levels[0]');
    expect(invalidField(() => quantileDemand([0.5], [1, 2]))).toBe('values');
    expect(invalidField(() => quantileDemand([0.1, 0.5], [1, -2]))).toBe('values[1]');
  });
});

describe('sample demand', () => {
  const d = sampleDemand([4, 1, 3, 2]);
  test('empirical quantile, CDF and shortfall', () => {
    expect(d.mean).toBe(2.5);
    expect(d.quantile(0.5)).toBe(2);
    expect(d.quantile(0.51)).toBe(3);
    expect(d.cdf(2)).toBe(0.5);
    expect(d.expectedShortfall(2)).toBe(0.75);
  });
});

describe('argument checks', () => {
  test('negative or non-finite inputs are rejected naming the field', () => {
    expect(invalidField(() => poissonDemand(-1))).toBe('mean');
    expect(invalidField(() => negativeBinomialDemand(3, 0))).toBe('shape');
    expect(invalidField(() => normalDemand(Number.NaN, 1))).toBe('mean');
    expect(invalidField(() => normalDemand(10, -1))).toBe('sd');
    expect(invalidField(() => sampleDemand([]))).toBe('values');
    expect(invalidField(() => poissonDemand(3).quantile(1))).toBe('p');
  });
});
