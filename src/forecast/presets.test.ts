import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.js';
import { buildPanel } from '../features/panel.js';
import { Forecaster } from './forecaster.js';
import { LARGE_PANEL_ROWS, mstlPeriods, presetOptions, trainingRowCount } from './presets.js';

describe('trainingRowCount', () => {
  it('counts observed targets in the last window of each series, gaps and missing values excluded', () => {
    // Series a: days 0..9 with day 8 missing; series b: days 0..2 and 6..9 (a gap of three days).
    const seriesId: string[] = [];
    const date: number[] = [];
    const y: number[] = [];
    for (let t = 0; t < 10; t++) {
      seriesId.push('a');
      date.push(20000 + t);
      y.push(t === 8 ? Number.NaN : t);
    }
    for (const t of [0, 1, 2, 6, 7, 8, 9]) {
      seriesId.push('b');
      date.push(20000 + t);
      y.push(1);
    }
    const panel = buildPanel({ seriesId, date, y });
    expect(trainingRowCount(panel, undefined)).toBe(9 + 7);
    // The last 5 periods are days 5..9: a has 4 observed (day 8 missing), b has 4 (days 6..9).
    expect(trainingRowCount(panel, 5)).toBe(4 + 4);
    expect(trainingRowCount(panel, 1)).toBe(1 + 1);
  });
});

describe("presetOptions('auto')", () => {
  it('on a small daily panel: direct, two boostings, a recursive Tweedie one beside them, and ETS', () => {
    const small = { freq: 'day' as const, trainingRows: LARGE_PANEL_ROWS - 1 };
    const o = presetOptions('auto', { ...small, nonNegative: true });
    expect(o.strategy).toBe('direct');
    expect(o.ensemble).toBe(true);
    expect(Object.keys(o.models)).toEqual(['gbm', 'gbm_tweedie', 'gbm_tweedie_recursive', 'ets']);
    // Already recursive when the caller asks for it; no Tweedie when y can be negative.
    expect(
      Object.keys(presetOptions('auto', { ...small, nonNegative: true, strategy: 'recursive' }).models),
    ).toEqual(['gbm', 'gbm_tweedie', 'ets']);
    expect(Object.keys(presetOptions('auto', { ...small, nonNegative: false }).models)).toEqual([
      'gbm',
      'ets',
    ]);
  });

  it('on a large panel: recursive, the deep boosting, direct Tweedie and squared ones beside it, no ETS', () => {
    const o = presetOptions('auto', { freq: 'day', nonNegative: true, trainingRows: LARGE_PANEL_ROWS });
    expect(o.strategy).toBe('recursive');
    expect(Object.keys(o.models)).toEqual(['gbm', 'gbm_tweedie', 'gbm_direct']);
    // A member's own strategy (null: the forecaster's) and leaves, as its unfitted state records them.
    const spec = (name: string) =>
      o.models[name]().serialize().config as {
        strategy: string | null;
        params: { maxLeaves: number; loss: string };
      };
    expect(spec('gbm')).toMatchObject({ strategy: null, params: { maxLeaves: 255, loss: 'squared' } });
    expect(spec('gbm_tweedie')).toMatchObject({
      strategy: 'direct',
      params: { maxLeaves: 31, loss: 'tweedie' },
    });
    expect(spec('gbm_direct')).toMatchObject({
      strategy: 'direct',
      params: { maxLeaves: 31, loss: 'squared' },
    });
  });

  it("keeps the caller's strategy and leaves Tweedie out when a loss is chosen or y can be negative", () => {
    const large = { freq: 'day' as const, trainingRows: LARGE_PANEL_ROWS };
    expect(presetOptions('auto', { ...large, nonNegative: true, strategy: 'direct' }).strategy).toBe(
      'direct',
    );
    expect(Object.keys(presetOptions('auto', { ...large, nonNegative: false }).models)).toEqual([
      'gbm',
      'gbm_direct',
    ]);
    expect(
      Object.keys(presetOptions('auto', { ...large, nonNegative: true, loss: 'squared' }).models),
    ).toEqual(['gbm', 'gbm_direct']);
  });

  it('sizes only auto by the panel: gbm stays direct on a large panel', () => {
    const o = presetOptions('gbm', { freq: 'day', nonNegative: true, trainingRows: 10 * LARGE_PANEL_ROWS });
    expect(o.strategy).toBe('direct');
    expect(Object.keys(o.models)).toEqual(['gbm']);
  });
});

describe('presetOptions threads', () => {
  it('forecasts the same with histograms built on one thread or on two', () => {
    // 12 series × 400 days: enough rows that the root nodes' histograms are shared out to threads.
    const rng = createRng(7);
    const long = { seriesId: [] as string[], date: [] as number[], y: [] as number[] };
    for (let s = 0; s < 12; s++) {
      for (let t = 0; t < 400; t++) {
        long.seriesId.push(`s${s}`);
        long.date.push(19000 + t);
        long.y.push(20 + s + 6 * Math.sin((2 * Math.PI * t) / 7) + 3 * rng.next());
      }
    }
    const panel = buildPanel(long, { freq: 'day' });
    const forecast = (threads: number) =>
      new Forecaster(presetOptions('gbm', { freq: 'day', quantiles: [], threads }))
        .fit(panel, { h: 7 })
        .predict(7).models.gbm.yhat;
    const serial = forecast(1);
    expect(serial.every(Number.isFinite)).toBe(true);
    expect(forecast(2)).toEqual(serial);
  });
});

describe("presetOptions('mstl')", () => {
  it('decomposes week and year: a daily series with both seasons is forecast from them', () => {
    expect(mstlPeriods('day')).toEqual([7, 365]);
    expect(mstlPeriods('week')).toEqual([52]);
    const rng = createRng(3);
    const level = (t: number) =>
      60 + 12 * Math.sin((2 * Math.PI * t) / 7) + 25 * Math.sin((2 * Math.PI * t) / 365);
    const long = { seriesId: [] as string[], date: [] as number[], y: [] as number[] };
    const days = 800;
    const h = 28;
    for (let t = 0; t < days + h; t++) {
      long.seriesId.push('a');
      long.date.push(19000 + t);
      long.y.push(level(t) + 2 * (rng.next() - 0.5));
    }
    const panel = buildPanel(long, { freq: 'day' });
    const history = buildPanel(
      { seriesId: long.seriesId.slice(0, days), date: long.date.slice(0, days), y: long.y.slice(0, days) },
      { freq: 'day' },
    );
    const o = presetOptions('mstl', { freq: 'day', quantiles: [0.1, 0.9] });
    expect(Object.keys(o.models)).toEqual(['mstl']);
    const result = new Forecaster(o).fit(history, { h }).predict(h);
    const { yhat, quantiles } = result.models.mstl;
    let error = 0;
    let weeklyOnly = 0;
    for (let k = 0; k < h; k++) {
      error += Math.abs(yhat[k] - panel.y[days + k]);
      // What a forecast that knew the week but not the year would miss: the yearly swing since
      // the last week of history.
      weeklyOnly += Math.abs(level(days + k) - level(days + k - 7 * Math.ceil((k + 1) / 7)));
      expect(quantiles.get(0.1)![k]).toBeLessThanOrEqual(yhat[k]);
      expect(quantiles.get(0.9)![k]).toBeGreaterThanOrEqual(yhat[k]);
    }
    // Noise is ±1 (mean absolute 0.5); the yearly season moves the level by up to 25 and the
    // decomposition tracks it.
    expect(error / h).toBeLessThan(1.2);
    expect(weeklyOnly / h).toBeGreaterThan(error / h);
  });
});
