import { describe, expect, test } from 'vitest';
import {
  negativeBinomialDemand,
  normalDemand,
  poissonDemand,
  quantileDemand,
  sampleDemand,
} from './demand-distribution.js';
import { periodsBetween, sumDemand } from './demand-sum.js';

/** Monte Carlo reference: `n` sums of independent draws. */
function monteCarloSum(parts: ReturnType<typeof negativeBinomialDemand>[], n: number) {
  // Sample-kind wrapper forces the Monte Carlo path of sumDemand.
  return sumDemand([...parts, sampleDemand([0])], { seed: 11, samples: n });
}

describe('sumDemand', () => {
  test('Poisson periods sum to the Poisson of the summed mean (exact)', () => {
    const total = sumDemand([poissonDemand(3), poissonDemand(4), poissonDemand(5)]);
    expect(total.kind).toBe('poisson');
    expect(total.mean).toBe(12);
    expect(total.quantile(0.95)).toBe(18);
  });

  test('normal periods add means and variances', () => {
    const total = sumDemand([normalDemand(20, 3), normalDemand(30, 4)]);
    expect(total.kind).toBe('normal');
    expect(total.mean).toBe(50);
    expect(total.variance).toBeCloseTo(25, 12);
  });

  test('equal negative binomial periods sum to NB with shape n·k (exact)', () => {
    const total = sumDemand([
      negativeBinomialDemand(5, 6),
      negativeBinomialDemand(5, 6),
      negativeBinomialDemand(5, 6),
    ]);
    expect(total.kind).toBe('negative-binomial');
    expect(total.mean).toBeCloseTo(15, 12);
    expect(total.variance).toBeCloseTo(15 + 225 / 18, 9);
    const mc = monteCarloSum(
      [negativeBinomialDemand(5, 6), negativeBinomialDemand(5, 6), negativeBinomialDemand(5, 6)],
      60_000,
    );
    for (const p of [0.5, 0.9, 0.95, 0.99])
      expect(Math.abs(total.quantile(p) - mc.quantile(p))).toBeLessThanOrEqual(1);
  });

  test('unequal negative binomial periods: moment matching agrees with Monte Carlo', () => {
    const parts = [2, 9, 25, 4].map((m) => negativeBinomialDemand(m, 6));
    const total = sumDemand(parts);
    expect(total.mean).toBeCloseTo(40, 12);
    expect(total.variance).toBeCloseTo(40 + (4 + 81 + 625 + 16) / 6, 9);
    const mc = monteCarloSum(parts, 60_000);
    for (const p of [0.5, 0.9, 0.95])
      expect(Math.abs(total.quantile(p) - mc.quantile(p))).toBeLessThanOrEqual(1);
    expect(Math.abs(total.expectedShortfall(50) - mc.expectedShortfall(50))).toBeLessThan(0.1);
  });

  test('quantile forecasts go through seeded Monte Carlo', () => {
    const period = quantileDemand([0.1, 0.5, 0.9], [5, 10, 20]);
    const a = sumDemand([period, period, period], { seed: 3, samples: 40_000 });
    const b = sumDemand([period, period, period], { seed: 3, samples: 40_000 });
    expect(a.kind).toBe('samples');
    expect(a.quantile(0.95)).toBe(b.quantile(0.95));
    expect(a.mean).toBeCloseTo(3 * period.mean, 0);
    expect(a.variance / (3 * period.variance)).toBeGreaterThan(0.97);
    expect(a.variance / (3 * period.variance)).toBeLessThan(1.03);
  });

  test('empty and single-period sums', () => {
    expect(sumDemand([]).mean).toBe(0);
    const one = poissonDemand(4);
    expect(sumDemand([one])).toBe(one);
  });

  test('periodsBetween clamps to the forecast', () => {
    const f = [1, 2, 3].map((m) => poissonDemand(m));
    expect(periodsBetween(f, 1, 10).map((d) => d.mean)).toEqual([2, 3]);
    expect(periodsBetween(f, -2, 1).map((d) => d.mean)).toEqual([1]);
  });
});
