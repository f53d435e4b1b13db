import { describe, expect, it } from 'vitest';
import { CAPACITY, RollingStats } from './rolling-stats.js';

describe('RollingStats', () => {
  it('summarises predictions, actuals and anomalies inside the window only', () => {
    let nowMs = 1_000_000;
    const stats = new RollingStats(() => nowMs);
    stats.prediction(7); // 100 s before the summary: outside a 60-s window
    nowMs += 70_000;
    stats.prediction(28);
    stats.actual(10, 12); // error +2
    stats.actual(20, 15); // error −5
    stats.anomaly();
    nowMs += 30_000;
    expect(stats.summary(60)).toEqual({
      window_seconds: 60,
      predictions: 1,
      prediction_rows: 28,
      actuals: 2,
      mae: 3.5,
      bias: -1.5,
      wape: 7 / 30,
      anomalies: 1,
    });
    expect(stats.summary(3600)).toMatchObject({ predictions: 2, prediction_rows: 35 });
    expect(stats.summary(10)).toMatchObject({ predictions: 0, actuals: 0, mae: null, wape: null });
  });

  it('keeps every event while it grows, then the latest CAPACITY', () => {
    let nowMs = 0;
    const stats = new RollingStats(() => nowMs);
    // Across the first doublings nothing is lost or overwritten.
    for (let i = 1; i <= 5000; i++) {
      nowMs = i;
      stats.prediction(i);
    }
    expect(stats.summary(1e6)).toMatchObject({ predictions: 5000, prediction_rows: (5000 * 5001) / 2 });
    for (let i = 5001; i <= CAPACITY + 10; i++) {
      nowMs = i;
      stats.prediction(i);
    }
    // The ten oldest (rows 1..10) fell out of the ring.
    const n = CAPACITY + 10;
    expect(stats.summary(1e6)).toMatchObject({
      predictions: CAPACITY,
      prediction_rows: (n * (n + 1)) / 2 - 55,
    });
  });
});
