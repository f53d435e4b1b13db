import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import {
  bias,
  coverage,
  mae,
  mape,
  mase,
  meanIntervalWidth,
  pinball,
  r2,
  rmse,
  scoreForecasts,
  seasonalNaiveScale,
  smape,
  wape,
} from './metrics.js';

const f64 = (...v: number[]) => new Float64Array(v);

// Hand-computed: errors |y − ŷ| = 1, 0, 1, 1; Σ|y| = 7; Σ(ŷ − y) = 1.
const y = f64(1, 2, 0, 4);
const yhat = f64(2, 2, 1, 3);
const q10 = f64(0, 3, 0, 5);
const q90 = f64(3, 4, 1, 6);

describe('point metrics (hand-computed)', () => {
  it('WAPE, MAE, RMSE, bias', () => {
    expect(wape(y, yhat)).toBeCloseTo(3 / 7, 12);
    expect(mae(y, yhat)).toBeCloseTo(0.75, 12);
    expect(rmse(y, yhat)).toBeCloseTo(Math.sqrt(0.75), 12);
    expect(bias(y, yhat)).toBeCloseTo(1 / 7, 12);
  });

  it('sMAPE counts a 0/0 row as 0 and is a fraction', () => {
    // 2/3 + 0 + 2 + 2/7, over 4 rows
    expect(smape(y, yhat)).toBeCloseTo(31 / 42, 12);
    expect(smape(f64(0, 0), f64(0, 0))).toBe(0);
  });

  it('MAPE skips zero actuals and reports how many', () => {
    expect(mape(y, yhat)).toEqual({ value: expect.closeTo(1.25 / 3, 12), skipped: 1 });
    expect(mape(f64(0), f64(1))).toEqual({ value: Number.NaN, skipped: 1 });
  });

  it('R² is 1 − SS_res/SS_tot and NaN for constant actuals', () => {
    expect(r2(y, yhat)).toBeCloseTo(1 - 3 / 8.75, 12);
    expect(r2(f64(3, 3), f64(3, 4))).toBeNaN();
    expect(r2(y, y)).toBe(1);
  });

  it('empty input gives NaN', () => {
    expect(wape(f64(), f64())).toBeNaN();
    expect(rmse(f64(), f64())).toBeNaN();
  });

  it('rejects arrays of different lengths', () => {
    expect(() => mae(f64(1, 2), f64(1))).toThrow(SalescastError);
  });
});

describe('MASE', () => {
  it('scale is the in-sample seasonal-naive MAE', () => {
    expect(seasonalNaiveScale(f64(1, 3, 2, 4, 3), 2)).toBe(1);
    expect(seasonalNaiveScale(f64(1, 3, 2, 4, 3), 1)).toBe(1.5);
    expect(seasonalNaiveScale(f64(5, 5, 5), 1)).toBeNaN();
    expect(seasonalNaiveScale(f64(1, 2), 2)).toBeNaN();
    // A gap pairs with nothing, and the values around it keep their seasonal partners: |2 − 1| and
    // |3 − 2| (dropping the gap first would pair 4 with 1 and 3 with 2: scale 2).
    expect(seasonalNaiveScale(f64(1, Number.NaN, 2, 4, 3), 2)).toBe(1);
    expect(seasonalNaiveScale(f64(Number.NaN, Number.NaN, 1), 1)).toBeNaN();
    expect(() => seasonalNaiveScale(f64(1, 2), 0)).toThrow(SalescastError);
  });

  it('divides the absolute errors by the scale and skips unusable scales', () => {
    expect(mase(y, yhat, 1.5)).toBeCloseTo(0.5, 12);
    expect(mase(y, yhat, f64(2, 2, Number.NaN, 0.5))).toBeCloseTo((0.5 + 0 + 2) / 3, 12);
    expect(mase(y, yhat, Number.NaN)).toBeNaN();
  });
});

describe('quantile metrics (hand-computed)', () => {
  it('pinball loss at 0.1', () => {
    // 0.1·1 + 0.9·1 + 0 + 0.9·1, over 4 rows
    expect(pinball(y, q10, 0.1)).toBeCloseTo(0.475, 12);
    expect(pinball(y, q10, 0.9)).toBeCloseTo((0.9 + 0.1 + 0 + 0.1) / 4, 12);
    expect(() => pinball(y, q10, 1)).toThrow(SalescastError);
  });

  it('coverage is inclusive and width is the mean spread', () => {
    expect(coverage(y, q10, q90)).toBe(0.5);
    expect(meanIntervalWidth(q10, q90)).toBe(1.5);
  });
});

describe('scoreForecasts', () => {
  it('scores aggregate and per series, MASE with each series its own scale', () => {
    const result = scoreForecasts({
      y,
      yhat,
      quantiles: { 0.9: q90, 0.1: q10 },
      seriesIndex: Int32Array.from([0, 0, 1, 1]),
      insample: [f64(0, 2, 4), f64(1, 1, 1, 2)],
      season: 1,
    });
    const agg = result.aggregate;
    expect(agg.n).toBe(4);
    expect(agg.wape).toBeCloseTo(3 / 7, 12);
    // scales 2 and 1/3: errors scaled 0.5, 0, 3, 3
    expect(agg.mase).toBeCloseTo(6.5 / 4, 12);
    expect(agg.pinball['0.1']).toBeCloseTo(0.475, 12);
    expect(agg.coverage).toBe(0.5);
    expect(agg.intervalWidth).toBe(1.5);
    expect(agg.interval).toEqual([0.1, 0.9]);
    expect(agg.mapeSkipped).toBe(1);

    expect(result.perSeries).toHaveLength(2);
    const [s0, s1] = result.perSeries;
    expect(s0.n).toBe(2);
    expect(s0.wape).toBeCloseTo(1 / 3, 12);
    expect(s0.mase).toBeCloseTo(0.25, 12);
    expect(s0.coverage).toBe(0.5);
    expect(s1.wape).toBeCloseTo(2 / 4, 12);
    expect(s1.mase).toBeCloseTo(3, 12);
    expect(s1.bias).toBeCloseTo(0, 12);
  });

  it('treats all rows as one series without an index; MASE is NaN without history', () => {
    const result = scoreForecasts({ y, yhat });
    expect(result.perSeries).toHaveLength(1);
    expect(result.perSeries[0].rmse).toBeCloseTo(result.aggregate.rmse, 12);
    expect(result.aggregate.mase).toBeNaN();
    expect(result.aggregate.coverage).toBeUndefined();
  });

  it('rejects non-finite forecasts and mismatched lengths', () => {
    expect(() => scoreForecasts({ y, yhat: f64(1, Number.NaN, 1, 1) })).toThrow(
      /yhat is not finite at row 1/,
    );
    expect(() => scoreForecasts({ y, yhat, quantiles: { 0.5: f64(1) } })).toThrow(SalescastError);
  });

  it('aggregate WAPE is the |y|-weighted mean of per-series WAPE', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            y: fc.double({ min: 1, max: 100, noNaN: true }),
            e: fc.double({ min: -50, max: 50, noNaN: true }),
            s: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (rows) => {
          const yy = Float64Array.from(rows, (r) => r.y);
          const result = scoreForecasts({
            y: yy,
            yhat: Float64Array.from(rows, (r) => r.y + r.e),
            seriesIndex: Int32Array.from(rows, (r) => r.s),
          });
          let weighted = 0;
          let total = 0;
          result.perSeries.forEach((m, s) => {
            const sumY = rows.filter((r) => r.s === s).reduce((a, r) => a + r.y, 0);
            if (m.n > 0) weighted += m.wape * sumY;
            total += sumY;
          });
          expect(weighted / total).toBeCloseTo(result.aggregate.wape, 9);
        },
      ),
    );
  });
});
