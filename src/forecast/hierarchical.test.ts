import { describe, expect, it } from 'vitest';
import { buildPanel } from '../features/panel.js';
import { Ridge } from '../ml/index.js';
import { globalModel } from './global-model.js';
import { aggregatePanel, bottomSeries, hierarchicalForecast } from './hierarchical.js';
import { buildHierarchy } from './hierarchy.js';
import { seasonalNaiveModel } from './local-models.js';

/** Two stores × two products, daily: S1/P1, S1/P2, S2/P1 and S2/P2, each `value(level, day)`. */
function storeProductPanel(
  levels: readonly number[],
  days: number,
  value: (level: number, t: number) => number,
) {
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  ['S1/P1', 'S1/P2', 'S2/P1', 'S2/P2'].forEach((id, k) => {
    for (let t = 0; t < days; t++) {
      seriesId.push(id);
      date.push(19000 + t);
      y.push(value(levels[k], t));
    }
  });
  return buildPanel({ seriesId, date, y });
}

function coherent(labels: readonly string[], yhat: Float64Array, h: number): void {
  const at = (label: string, k: number) => yhat[labels.indexOf(label) * h + k];
  for (let k = 0; k < h; k++) {
    expect(at('total', k)).toBeCloseTo(at('S1/P1', k) + at('S1/P2', k) + at('S2/P1', k) + at('S2/P2', k), 8);
    expect(at('store:S1', k)).toBeCloseTo(at('S1/P1', k) + at('S1/P2', k), 8);
    expect(at('product:P2', k)).toBeCloseTo(at('S1/P2', k) + at('S2/P2', k), 8);
  }
}

describe('hierarchical forecasts', () => {
  // A weekly pattern around each level.
  const panel = storeProductPanel(
    [10, 20, 5, 40],
    90,
    (level, t) => level * (1 + (t % 7) / 6) + ((t * 31 + level) % 7) - 3,
  );

  it('aggregates histories to the total, each store and each product', () => {
    const hierarchy = buildHierarchy(bottomSeries(panel));
    const agg = aggregatePanel(panel, hierarchy);
    expect(agg.seriesIds).toEqual(['total', 'store:S1', 'store:S2', 'product:P1', 'product:P2']);
    const first = (s: number) => agg.y[agg.offsets[s]];
    const bottom = (s: number) => panel.y[panel.offsets[s]];
    expect(first(0)).toBeCloseTo(bottom(0) + bottom(1) + bottom(2) + bottom(3), 12);
    expect(first(2)).toBeCloseTo(bottom(2) + bottom(3), 12);
    expect(first(3)).toBeCloseTo(bottom(0) + bottom(2), 12);
  });

  it('reconciles bottom-up and MinT-shrink forecasts into coherent ones', () => {
    const options = {
      models: {
        ridge: () => globalModel({ learner: () => new Ridge({ alpha: 1 }) }),
        naive: () => seasonalNaiveModel(7),
      },
      lags: [7, 14],
      lagTransforms: {},
      ensemble: true,
    };
    for (const method of ['bottom_up', 'mint_shrink'] as const) {
      const out = hierarchicalForecast(panel, options, { h: 7, method, model: 'ensemble' });
      expect(out.labels).toHaveLength(9);
      expect(out.forecast.yhat).toHaveLength(9 * 7);
      coherent(out.labels, out.forecast.yhat, 7);
      const q10 = out.forecast.quantiles.get(0.1)!;
      const q90 = out.forecast.quantiles.get(0.9)!;
      for (let i = 0; i < q10.length; i++) expect(q10[i]).toBeLessThanOrEqual(q90[i]);
    }
  });

  it('forecasts no negative sales at any node, and stays coherent', () => {
    // A series that sells once in 17 days beside two large ones that drop in the last weeks: the
    // aggregates' forecasts disagree with the bottom ones, and OLS spreads the difference evenly,
    // which took the slow seller to about −22 units a day before negative forecasts were set to 0.
    const slowSeller = storeProductPanel([0, 200, 1, 300], 120, (level, t) =>
      Math.max(
        0,
        level === 0
          ? Number(t % 17 === 0)
          : level * (1 + (t % 7) / 3) * (t > 100 ? 0.4 : 1) + ((t * 37) % 23) - 11,
      ),
    );
    const options = {
      models: { ridge: () => globalModel({ learner: () => new Ridge({ alpha: 1 }) }) },
      lags: [7, 14],
      lagTransforms: {},
    };
    for (const method of ['ols', 'wls_struct', 'mint_shrink'] as const) {
      const out = hierarchicalForecast(slowSeller, options, { h: 7, method, model: 'ridge' });
      coherent(out.labels, out.forecast.yhat, 7);
      expect(Math.min(...out.forecast.yhat)).toBeGreaterThanOrEqual(0);
      for (const q of out.forecast.quantiles.values()) expect(Math.min(...q)).toBeGreaterThanOrEqual(0);
      if (method === 'ols') {
        const at = out.labels.indexOf('S1/P1') * 7;
        expect(Math.min(...out.forecast.yhat.subarray(at, at + 7))).toBe(0);
      }
    }
  });

  it('needs store/product series ids', () => {
    const flat = buildPanel({ seriesId: ['a', 'a'], date: [0, 1], y: [1, 2] }, { freq: 'day' });
    expect(() => bottomSeries(flat)).toThrow(/store\/product/);
  });
});
