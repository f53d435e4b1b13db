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
  });
});
