import { describe, expect, it } from 'vitest';
import { AnomalyDetector, quantileSpread, robustZ, severityOf } from './anomaly.js';

describe('robustZ', () => {
  it('is (x − median) / (1.4826 · MAD), floored at minScale', () => {
    // median 3, |deviations| 2,1,0,1,2 → MAD 1.
    const r = robustZ([1, 2, 3, 4, 5], 9, 0.1);
    expect(r.median).toBe(3);
    expect(r.scale).toBeCloseTo(1.4826, 10);
    expect(r.z).toBeCloseTo(6 / 1.4826, 10);
    expect(robustZ([4, 4, 4, 4], 5, 0.5).z).toBe(2);
  });
  it('ignores a single wild value in the baseline (unlike mean/sd)', () => {
    const base = [10, 11, 9, 10, 12, 8, 10, 1000];
    expect(robustZ(base, 10, 0.1).z).toBeCloseTo(0, 1);
  });
});

describe('severityOf', () => {
  it('grades from the threshold: minor, major from 1.6×, critical from 2.4×', () => {
    expect(severityOf(2.4, 2.5)).toBeNull();
    expect(severityOf(2.5, 2.5)).toBe('minor');
    expect(severityOf(4, 2.5)).toBe('major');
    expect(severityOf(6, 2.5)).toBe('critical');
    expect(severityOf(Number.NaN, 2.5)).toBeNull();
  });
});

describe('AnomalyDetector', () => {
  const noisy = (k: number) => 20 + ((k * 7919) % 9) - 4;

  it('judges nothing before the warm-up, then flags a spike and a drop', () => {
    const d = new AnomalyDetector('day', { minHistory: 14 });
    for (let k = 0; k < 14; k++) expect(d.observeActual('a', noisy(k), 20)).toBeNull();
    expect(d.observeActual('a', 21, 20)).toBeNull();
    expect(d.observeActual('a', 80, 20)).toMatchObject({
      kind: 'actual_spike',
      severity: 'critical',
      value: 80,
    });
    expect(d.observeActual('a', 0, 20)).toMatchObject({ kind: 'actual_drop', expected: 20 });
  });

  it('keeps findings out of the baseline, until a run of them is a level shift', () => {
    const d = new AnomalyDetector('day', { minHistory: 14, window: 28 });
    for (let k = 0; k < 28; k++) d.observeActual('a', noisy(k), 20);
    // The level doubles for good: the first three are flagged; the baseline then follows.
    const flagged = Array.from({ length: 40 }, () => d.observeActual('a', 60, 20) !== null);
    expect(flagged.slice(0, 3)).toEqual([true, true, true]);
    expect(flagged.slice(-5)).toEqual([false, false, false, false, false]);
  });

  it('treats a slow mover selling 2 where 0.3 was expected as ordinary', () => {
    const d = new AnomalyDetector('day');
    for (let k = 0; k < 20; k++) d.observeActual('slow', k % 5 === 0 ? 1 : 0, 0.3);
    expect(d.observeActual('slow', 2, 0.3)).toBeNull();
    expect(d.observeActual('slow', 12, 0.3)).toMatchObject({ kind: 'actual_spike' });
  });

  it('flags a forecast that jumps away from the recent forecasts', () => {
    const d = new AnomalyDetector('week', { threshold: 3 });
    for (let k = 0; k < 8; k++) expect(d.observeForecast('a', 50 + (k % 3), 50)).toBeNull();
    expect(d.observeForecast('a', 51, 50)).toBeNull();
    expect(d.observeForecast('a', 5, 50)).toMatchObject({ kind: 'forecast_drop', expected: 51 });
  });

  it("judges a forecast's move against the model's own uncertainty when that is wider", () => {
    const d = new AnomalyDetector('week');
    // Still recent forecasts (median 51, MAD 1) from a model whose P10–P90 says σ = 10.
    for (let k = 0; k < 8; k++) expect(d.observeForecast('a', 50 + (k % 3), 50, 10)).toBeNull();
    // 20 above the median is 2σ of the model: within its uncertainty.
    expect(d.observeForecast('a', 71, 50, 10)).toBeNull();
    // 45 above is 4.5σ: a spike.
    expect(d.observeForecast('a', 96, 50, 10)).toMatchObject({ kind: 'forecast_spike', severity: 'major' });
    // Without the spread, the least scale is 10% of the level (5): the same 20 above is z = 4.
    const bare = new AnomalyDetector('week');
    for (let k = 0; k < 8; k++) bare.observeForecast('a', 50 + (k % 3), 50);
    expect(bare.observeForecast('a', 71, 50)).toMatchObject({ kind: 'forecast_spike', severity: 'major' });
  });

  it('reads the spread of a forecast from its outermost quantiles', () => {
    // P10–P90 spans 2 × 1.2816 σ.
    expect(quantileSpread({ '0.1': 10, '0.5': 20, '0.9': 35.631 })).toBeCloseTo(10, 3);
    expect(quantileSpread({ '0.05': 0, '0.95': 32.897 })).toBeCloseTo(10, 3);
    expect(quantileSpread({ '0.5': 20 })).toBe(0);
    expect(quantileSpread({})).toBe(0);
  });
});
