import { describe, expect, it } from 'vitest';
import { conformalQuantiles, conformalScores, sortQuantiles } from './conformal.js';

describe('conformal intervals', () => {
  it('scores residuals per step in units of the series level and pools thin steps', () => {
    const step = Int32Array.of(0, 0, 1, 1);
    const scores = conformalScores(
      2,
      step,
      Float64Array.of(12, 8, 30, 10),
      Float64Array.of(10, 10, 20, 10),
      Float64Array.of(10, 10, 20, 5),
    );
    // Step 0: (12−10)/10 = 0.2, (8−10)/10 = −0.2; step 1: 0.5, 0 — each pooled with the other (fewer than 200).
    expect([...scores.byStep[0]]).toEqual([-0.2, 0, 0.2, 0.5]);
    expect([...scores.byStep[1]]).toEqual([-0.2, 0, 0.2, 0.5]);
  });

  it('forecast quantiles are ŷ plus the level times the score quantile', () => {
    const byStep = [Float64Array.from({ length: 11 }, (_, i) => (i - 5) / 10)]; // −0.5 … 0.5
    const q = conformalQuantiles(
      Float64Array.of(100, 100, 10, 10),
      2,
      Float64Array.of(20, 4),
      { byStep, power: 1 },
      [0.1, 0.5, 0.9],
    );
    expect([...q.get(0.1)!]).toEqual([92, 92, 8.4, 8.4]);
    expect([...q.get(0.5)!]).toEqual([100, 100, 10, 10]);
    expect([...q.get(0.9)!]).toEqual([108, 108, 11.6, 11.6]);
  });

  it('calibrates: 80% of fresh residuals from the same distribution fall in P10–P90', () => {
    let state = 3;
    const noise = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648 - 0.5;
    };
    const n = 4000;
    const steps = new Int32Array(n).map((_, i) => i % 4);
    const y = Float64Array.from({ length: n }, () => 50 + 20 * noise());
    const scores = conformalScores(4, steps, y, new Float64Array(n).fill(50), new Float64Array(n).fill(50));
    const fresh = Float64Array.from({ length: n }, () => 50 + 20 * noise());
    const q = conformalQuantiles(
      new Float64Array(n).fill(50),
      4,
      new Float64Array(n / 4).fill(50),
      scores,
      [0.1, 0.9],
    );
    let inside = 0;
    for (let i = 0; i < n; i++) if (fresh[i] >= q.get(0.1)![i] && fresh[i] <= q.get(0.9)![i]) inside++;
    expect(Math.abs(inside / n - 0.8)).toBeLessThan(0.03);
  });

  it('sorting makes crossing quantiles monotone', () => {
    const q = new Map([
      [0.9, Float64Array.of(1, 9)],
      [0.1, Float64Array.of(5, 2)],
      [0.5, Float64Array.of(3, 4)],
    ]);
    sortQuantiles(q);
    expect([...q.get(0.1)!]).toEqual([1, 2]);
    expect([...q.get(0.5)!]).toEqual([3, 4]);
    expect([...q.get(0.9)!]).toEqual([5, 9]);
  });
});
