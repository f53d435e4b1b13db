import { describe, expect, it } from 'vitest';
import { buildPanel } from '../features/panel.js';
import { scoreBacktest } from './backtest-report.js';
import type { CrossValidationResult } from './forecaster.js';

describe('scoreBacktest', () => {
  it('scores each model in aggregate and per series, MASE scaled by the history before the first cutoff', () => {
    const panel = buildPanel(
      {
        seriesId: ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'],
        date: [0, 1, 2, 3, 0, 1, 2, 3],
        y: [1, 3, 4, 6, 10, 10, 20, 30],
      },
      { freq: 'day' },
    );
    const cv: CrossValidationResult = {
      seriesIds: panel.seriesIds,
      series: Int32Array.of(0, 0, 1, 1),
      cutoff: Int32Array.of(1, 1, 1, 1),
      date: Int32Array.of(2, 3, 2, 3),
      step: Int32Array.of(0, 1, 0, 1),
      y: Float64Array.of(4, 6, 20, 30),
      level: Float64Array.of(2, 2, 10, 10),
      models: {
        m: {
          yhat: Float64Array.of(3, 6, 25, 30),
          quantiles: new Map([
            [0.1, Float64Array.of(2, 5, 15, 31)],
            [0.9, Float64Array.of(5, 7, 26, 40)],
          ]),
        },
      },
      fits: 1,
    };
    const scores = scoreBacktest(cv, panel, 1).m;
    // |errors| 1, 0, 5, 0 over Σy = 60.
    expect(scores.aggregate.wape).toBeCloseTo(6 / 60, 12);
    expect(scores.aggregate.coverage).toBeCloseTo(3 / 4, 12);
    expect(scores.perSeries.map((s) => s.seriesId)).toEqual(['a', 'b']);
    expect(scores.perSeries[0].mae).toBeCloseTo(0.5, 12);
    // Series a's in-sample naive scale over days 0–1: |3 − 1| = 2, so its MASE is 0.5 / 2.
    expect(scores.perSeries[0].mase).toBeCloseTo(0.25, 12);
    // Series b's history before the cutoff is flat: no usable scale.
    expect(scores.perSeries[1].mase).toBeNaN();
  });
});
