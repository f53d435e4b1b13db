/**
 * Drift metrics against values worked out by hand (the arithmetic is in each test).
 */
import { describe, expect, it } from 'vitest';
import {
  categoricalPsi,
  DRIFT_THRESHOLDS,
  driftReport,
  driftStatus,
  ksPValue,
  ksTwoSample,
  numericPsi,
  quantileEdges,
  worstStatus,
} from '../../src/mlops/drift.js';

const f64 = (...v: number[]) => Float64Array.from(v);

describe('PSI', () => {
  it('numeric: quantile bins of the reference', () => {
    // Reference 1..10, 2 bins: the median (linear interpolation) is (5 + 6) / 2 = 5.5.
    const ref = f64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    expect(quantileEdges(ref, 2)).toEqual([5.5]);
    // Reference shares: 5/10 ≤ 5.5, 5/10 above. Current: 1,2,3 ≤ 5.5 (0.3), 6..12 above (0.7).
    // PSI = (0.3 − 0.5)·ln(0.3/0.5) + (0.7 − 0.5)·ln(0.7/0.5)
    //     = (−0.2)(−0.510826) + (0.2)(0.336472) = 0.102165 + 0.067294 = 0.169460
    const psi = numericPsi(ref, f64(1, 2, 3, 6, 7, 8, 9, 10, 11, 12), 2);
    expect(psi).toBeCloseTo(0.16946, 5);
    expect(driftStatus(psi)).toBe('warn');
  });

  it('numeric: the same sample has PSI 0; NaN values are ignored', () => {
    const ref = f64(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5);
    expect(numericPsi(ref, f64(...ref, Number.NaN), 4)).toBe(0);
  });

  it('numeric: an empty bin is floored at 1e-4, giving a large finite PSI', () => {
    // Reference 1..4, 2 bins: edge 2.5, shares 0.5 / 0.5. Current all 1: shares 1 / 0 → 1e-4.
    // PSI = (1 − 0.5)·ln(1/0.5) + (1e-4 − 0.5)·ln(1e-4/0.5) = 0.346574 + 4.257745 = 4.604318
    expect(numericPsi(f64(1, 2, 3, 4), f64(1, 1, 1, 1), 2)).toBeCloseTo(4.604318, 5);
  });

  it('categorical: one bin per level', () => {
    // Reference a,a,b,b → 0.5 / 0.5; current a,b,b,b → 0.25 / 0.75; nulls ignored.
    // PSI = (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5) = 0.173287 + 0.101366 = 0.274653
    const psi = categoricalPsi(['a', 'a', 'b', 'b', null], ['a', 'b', 'b', 'b']);
    expect(psi).toBeCloseTo(0.274653, 5);
    expect(driftStatus(psi)).toBe('drift');
  });
});

describe('KS two-sample test', () => {
  it('statistic and asymptotic p-value', () => {
    // ECDFs of {1,2,3,4} and {3,4,5,6}: at x = 2 they are 0.5 and 0, so D = 0.5 (never larger).
    // ne = 4·4/8 = 2, √ne = 1.414214; λ = (1.414214 + 0.12 + 0.11/1.414214)·0.5 = 0.805998
    // Q = 2(e^{−2λ²} − e^{−8λ²} + e^{−18λ²} …) = 2(0.272729 − 0.005533 + 0.000008) = 0.534416
    const r = ksTwoSample(f64(1, 2, 3, 4), f64(3, 4, 5, 6));
    expect(r.d).toBe(0.5);
    expect(r.p).toBeCloseTo(0.534416, 5);
  });

  it('identical samples: D = 0, p = 1; disjoint large samples: D = 1, p ≈ 0', () => {
    const a = Float64Array.from({ length: 200 }, (_, i) => i);
    expect(ksTwoSample(a, a)).toEqual({ d: 0, p: 1 });
    const b = Float64Array.from({ length: 200 }, (_, i) => 1000 + i);
    const r = ksTwoSample(a, b);
    expect(r.d).toBe(1);
    expect(r.p).toBeLessThan(1e-12);
    expect(ksPValue(0, 10, 10)).toBe(1);
  });
});

describe('per-feature report', () => {
  it('reports every feature with its status by the documented thresholds', () => {
    expect(DRIFT_THRESHOLDS).toEqual({ warn: 0.1, drift: 0.25 });
    expect([driftStatus(0.0999), driftStatus(0.1), driftStatus(0.2499), driftStatus(0.25)]).toEqual([
      'ok',
      'warn',
      'warn',
      'drift',
    ]);
    const report = driftReport(
      [
        {
          name: 'price',
          kind: 'numeric',
          reference: f64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
          current: f64(1, 2, 3, 6, 7, 8, 9, 10, 11, 12),
        },
        {
          name: 'region',
          kind: 'categorical',
          reference: ['a', 'a', 'b', 'b'],
          current: ['a', 'b', 'b', 'b'],
        },
      ],
      2,
    );
    expect(report.map((r) => [r.feature, r.kind, r.status, r.n_reference, r.n_current])).toEqual([
      ['price', 'numeric', 'warn', 10, 10],
      ['region', 'categorical', 'drift', 4, 4],
    ]);
    // Numeric KS: the ECDF gap peaks at x = 5 (0.5 − 0.3) and at x = 10 (1.0 − 0.8): D = 0.2.
    expect(report[0].ks).toBeCloseTo(0.2, 10);
    expect(report[1].ks).toBeNull();
    expect(worstStatus(report)).toBe('drift');
  });
});
