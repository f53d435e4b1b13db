import { describe, expect, it } from 'vitest';
import { buildPanel, extendPanel } from '../features/panel.js';
import {
  autoEtsModel,
  localModelFromConfig,
  movingAverageModel,
  seasonalNaiveModel,
} from './local-models.js';

const panel = buildPanel(
  {
    seriesId: ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b'],
    date: [0, 1, 2, 3, 4, 5, 0, 1],
    y: [1, 2, 3, 1, 2, 3, Number.NaN, Number.NaN],
  },
  { freq: 'day' },
);
const context = { horizon: 4, features: {}, strategy: 'direct' as const, quantiles: [] };

describe('per-series models', () => {
  it('forecast each series from its own history on the timeline', () => {
    const timeline = extendPanel(panel, 4);
    const naive = seasonalNaiveModel(3);
    expect(() => naive.predict(timeline, 4)).toThrow(/not fitted/);
    naive.fit(panel, context);
    // Series b has no observation at all: it is forecast as 0.
    expect([...naive.predict(timeline, 4).yhat]).toEqual([1, 2, 3, 1, 0, 0, 0, 0]);
    const average = movingAverageModel(2);
    average.fit(panel, context);
    expect([...average.predict(timeline, 4).yhat.subarray(0, 4)]).toEqual([2.5, 2.5, 2.5, 2.5]);
  });

  it('restore from their serialized config', () => {
    const ets = autoEtsModel(3);
    const restored = localModelFromConfig(ets.serialize().kind, ets.serialize().config)!;
    expect(restored.name).toBe('AutoETS');
    expect(restored.serialize()).toEqual({ kind: 'auto-ets', config: { season: 3 } });
    expect(localModelFromConfig('unknown', {})).toBeUndefined();
    const windowed = autoEtsModel(7, 730).serialize();
    expect(windowed).toEqual({ kind: 'auto-ets', config: { season: 7, window: 730 } });
    expect(localModelFromConfig(windowed.kind, windowed.config)!.serialize()).toEqual(windowed);
  });

  it('fit ETS on the last `window` periods only, when given one', () => {
    // 60 days at a level of 100, then 40 at a level of 10 with a weekly pattern.
    const y = Array.from({ length: 100 }, (_, t) => (t < 60 ? 100 : 10 + (t % 7)));
    const long = buildPanel({ seriesId: y.map(() => 'a'), date: y.map((_, t) => t), y }, { freq: 'day' });
    const recent = buildPanel(
      { seriesId: y.slice(60).map(() => 'a'), date: y.slice(60).map((_, t) => 60 + t), y: y.slice(60) },
      { freq: 'day' },
    );
    const forecast = (model: ReturnType<typeof autoEtsModel>, p: typeof long) => {
      model.fit(p, context);
      return model.predict(extendPanel(p, 4), 4).yhat;
    };
    expect(forecast(autoEtsModel(7, 40), long)).toEqual(forecast(autoEtsModel(7), recent));
    // Without the window the old level weighs in: a different forecast.
    expect(forecast(autoEtsModel(7), long)).not.toEqual(forecast(autoEtsModel(7), recent));
  });
});
