/**
 * Decay detection: realized WAPE per period against the backtest's expected WAPE.
 */
import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/dates.js';
import { checkDecayPolicy, DEFAULT_DECAY_POLICY, detectDecay, periodErrors } from '../../src/mlops/decay.js';

const day0 = parseIsoDay('2024-03-04') as number;

/** 4 weekly periods of 7 daily rows, actual 10 each day, forecast 10 + err[p] in period p. */
function weeks(err: number[]) {
  const n = err.length * 7;
  const date = Int32Array.from({ length: n }, (_, i) => day0 + i);
  const y = new Float64Array(n).fill(10);
  const yhat = Float64Array.from({ length: n }, (_, i) => 10 + err[Math.floor(i / 7)]);
  return { date, y, yhat };
}

describe('periodErrors', () => {
  it('groups rows by period from the first date and computes WAPE = Σ|y − ŷ| / Σ|y|', () => {
    const { date, y, yhat } = weeks([1, -2, 3]);
    const p = periodErrors(date, y, yhat, 7);
    // Week 1: Σ|e| = 7·1 = 7 over Σy = 70 → 0.1; week 2: 14/70 = 0.2; week 3: 21/70 = 0.3.
    expect(p.map((x) => [x.start, x.end, x.n, x.wape])).toEqual([
      ['2024-03-04', '2024-03-10', 7, 0.1],
      ['2024-03-11', '2024-03-17', 7, 0.2],
      ['2024-03-18', '2024-03-24', 7, expect.closeTo(0.3, 12)],
    ]);
  });

  it('skips rows without an actual; an all-zero period has undefined WAPE', () => {
    // Day 0 has no actual, so periods start at day 1: {day 1: y 0, ŷ 1} → 1/0 undefined; {day 8: y 4, ŷ 2} → 2/4.
    const p = periodErrors(
      Int32Array.from([day0, day0 + 1, day0 + 8]),
      Float64Array.from([Number.NaN, 0, 4]),
      Float64Array.from([5, 1, 2]),
      7,
    );
    expect(p.map((x) => [x.n, x.wape])).toEqual([
      [1, Number.NaN],
      [1, 0.5],
    ]);
  });
});

describe('detectDecay', () => {
  const policy = { margin: 0.25, periods: 2, periodDays: 7 };

  it('decays when the latest N periods all exceed expected × (1 + margin)', () => {
    // Expected 0.2 → threshold 0.25. Weekly WAPE 0.1, 0.3, 0.3: the last two exceed → decay.
    const r = detectDecay(
      periodErrors(...(Object.values(weeks([1, 3, 3])) as [Int32Array, Float64Array, Float64Array]), 7),
      0.2,
      policy,
    );
    expect(r.threshold).toBeCloseTo(0.25, 12);
    expect(r.periods.map((p) => p.exceeded)).toEqual([false, true, true]);
    expect(r.trailing_exceeded).toBe(2);
    expect(r.decayed).toBe(true);
    // Realized over all: (7 + 21 + 21) / 210 = 0.233333.
    expect(r.realized_wape).toBeCloseTo(49 / 210, 12);
  });

  it('does not decay on a single bad period, nor on a run that has recovered', () => {
    const once = detectDecay(
      periodErrors(...(Object.values(weeks([1, 1, 3])) as [Int32Array, Float64Array, Float64Array]), 7),
      0.2,
      policy,
    );
    expect(once.trailing_exceeded).toBe(1);
    expect(once.decayed).toBe(false);
    const recovered = detectDecay(
      periodErrors(...(Object.values(weeks([3, 3, 1])) as [Int32Array, Float64Array, Float64Array]), 7),
      0.2,
      policy,
    );
    expect(recovered.trailing_exceeded).toBe(0);
    expect(recovered.decayed).toBe(false);
  });

  it('a period exactly at the threshold does not exceed; no expected WAPE never decays', () => {
    // Expected 0.24, margin 0.25 → threshold 0.3; weeks at 0.3 are not above it.
    const at = detectDecay(
      periodErrors(...(Object.values(weeks([3, 3])) as [Int32Array, Float64Array, Float64Array]), 7),
      0.24,
      policy,
    );
    expect(at.periods.every((p) => !p.exceeded)).toBe(true);
    const none = detectDecay(
      periodErrors(...(Object.values(weeks([9, 9])) as [Int32Array, Float64Array, Float64Array]), 7),
      Number.NaN,
      policy,
    );
    expect(none.decayed).toBe(false);
  });

  it('validates the policy, naming the field', () => {
    expect(DEFAULT_DECAY_POLICY).toEqual({ margin: 0.25, periods: 2, periodDays: 7 });
    expect(() => checkDecayPolicy({ ...policy, periods: 0 })).toThrow(
      /decay 'periods' must be an integer in \[1, 52\]; got 0/,
    );
    expect(() => checkDecayPolicy({ ...policy, margin: -1 })).toThrow(/'margin'/);
    expect(() => checkDecayPolicy({ ...policy, periodDays: 1.5 })).toThrow(/'period_days'/);
  });
});
