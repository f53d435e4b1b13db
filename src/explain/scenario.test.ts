import { beforeAll, describe, expect, test } from 'vitest';
import { buildPanel, isCategorical, type Panel, seriesKey } from '../features/panel.js';
import { goalSeek } from './goal-seek.js';
import { applyScenario, runScenario, scenarioDeltas } from './scenario.js';
import { type DemoFit, fitDemoForecaster } from './testing/demo-forecaster.js';

/** Two series over days 0–5; the history ends on day 2. */
function tiny(): { history: Panel; future: Panel } {
  const ids = ['S1/P1', 'S2/P1', 'S1/P2'];
  const seriesId = ids.flatMap((id) => Array(6).fill(id) as string[]);
  const date = ids.flatMap(() => [0, 1, 2, 3, 4, 5]);
  const n = seriesId.length;
  const future = buildPanel({
    seriesId,
    date,
    y: Array(n).fill(1),
    exog: {
      price: Array(n).fill(10),
      discount_pct: Array(n).fill(98),
      paid_price: Array(n).fill(0.2),
      on_promo: Array(n).fill(0),
      category: seriesId.map((id) => (id.endsWith('P1') ? 'Dairy' : 'Bakery')),
    },
  });
  const keep = date.map((d) => d <= 2);
  const history = buildPanel({
    seriesId: seriesId.filter((_, i) => keep[i]),
    date: date.filter((_, i) => keep[i]),
    y: Array(9).fill(1),
  });
  return { history, future };
}

describe('applyScenario', () => {
  test('changes only forecast periods of the selected series, clamps discounts and recomputes the paid price', () => {
    const { history, future } = tiny();
    const { panel, changedRows } = applyScenario(future, history, {
      actions: [{ driver: 'discount_pct', op: 'add', value: 5 }],
      conditions: { stores: ['S1'], categories: ['Dairy'] },
    });
    expect(changedRows).toBe(3);
    const discount = panel.exog.discount_pct as Float64Array;
    const paid = panel.exog.paid_price as Float64Array;
    // S1/P1 rows 3..5 (days 3, 4, 5) change; 98 + 5 is clamped to 100.
    expect(Array.from(discount.subarray(0, 6))).toEqual([98, 98, 98, 100, 100, 100]);
    expect(Array.from(paid.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(paid[2]).toBe(0.2);
    expect(Array.from(discount.subarray(6))).toEqual(Array(12).fill(98));
    // The input panel is not mutated.
    expect((future.exog.discount_pct as Float64Array)[3]).toBe(98);
  });

  test('multiply, set, date ranges and text columns', () => {
    const { history, future } = tiny();
    const { panel, changedRows } = applyScenario(future, history, {
      actions: [
        { driver: 'price', op: 'multiply', value: 0.9 },
        { driver: 'on_promo', op: 'set', value: 1 },
        { driver: 'category', op: 'set', value: 'Bakery' },
      ],
      conditions: { products: ['P1'], from: 4, to: 4 },
    });
    expect(changedRows).toBe(2);
    const price = panel.exog.price as Float64Array;
    expect(price[4]).toBeCloseTo(9);
    expect(price[10]).toBeCloseTo(9);
    expect(price[5]).toBe(10);
    expect((panel.exog.on_promo as Float64Array)[4]).toBe(1);
    expect((panel.exog.paid_price as Float64Array)[4]).toBeCloseTo(9 * 0.02);
    const category = panel.exog.category;
    if (!isCategorical(category)) throw new Error('category should stay categorical');
    expect(category.levels[category.codes[4]]).toBe('Bakery');
  });

  test('bad actions are rejected with INVALID_ARGUMENT naming the problem', () => {
    const { history, future } = tiny();
    expect(() =>
      applyScenario(future, history, { actions: [{ driver: 'loyalty', op: 'add', value: 1 }] }),
    ).toThrow(/no driver column 'loyalty'/);
    expect(() =>
      applyScenario(future, history, { actions: [{ driver: 'category', op: 'set', value: 'Toys' }] }),
    ).toThrow(/only 'set' to one of Dairy, Bakery/);
    expect(() =>
      applyScenario(future, history, { actions: [{ driver: 'price', op: 'add', value: 'x' }] }),
    ).toThrow(/must be a number/);
    // A discount set outside 0..100 or a price pushed to 0 or below is no scenario.
    for (const value of [-50, 500]) {
      expect(() =>
        applyScenario(future, history, { actions: [{ driver: 'discount_pct', op: 'set', value }] }),
      ).toThrow(`a discount is a percentage from 0 to 100; got ${value}.`);
    }
    expect(() =>
      applyScenario(future, history, { actions: [{ driver: 'price', op: 'set', value: -10 }] }),
    ).toThrow('a price must stay above 0; the action makes it -10 on 1970-01-04.');
    expect(() =>
      applyScenario(future, history, { actions: [{ driver: 'price', op: 'add', value: -10 }] }),
    ).toThrow(/a price must stay above 0; the action makes it 0 on /);
  });

  test('seriesKey splits store/product ids', () => {
    expect(seriesKey('S01/P005')).toEqual({ store: 'S01', product: 'P005' });
    expect(seriesKey('sku-1')).toEqual({ store: undefined, product: 'sku-1' });
  });
});

describe('scenarios on a recursive demo forecaster', () => {
  let fit: DemoFit;
  beforeAll(() => {
    fit = fitDemoForecaster({
      stores: 2,
      products: 3,
      days: 300,
      h: 14,
      strategy: 'recursive',
      trees: 80,
      features: 'compact',
    });
  });

  test('a discount raises the selected product only, and both forecasts carry intervals', () => {
    const product = fit.retailer.truth.products[0].product_id;
    const input = { h: fit.h, history: fit.history, future: fit.panel };
    const result = runScenario(fit.forecaster, input, {
      actions: [{ driver: 'discount_pct', op: 'set', value: 30 }],
      conditions: { products: [product] },
    });
    expect(result.changedRows).toBe(2 * fit.h);
    const deltas = scenarioDeltas(result, 'gbm');
    for (const d of deltas) {
      if (d.seriesId.endsWith(product)) expect(d.relative).toBeGreaterThan(0.05);
      else expect(d.delta).toBe(0);
      expect(d.baselineInterval?.[0]).toBeLessThan(d.baseline);
      expect(d.scenarioInterval?.[1]).toBeGreaterThan(d.scenario);
    }
  });

  test('the recursion carries a one-day change into later days through the lags', () => {
    const first = fit.panel.dates[fit.panel.offsets[1] - fit.h];
    const result = runScenario(
      fit.forecaster,
      { h: fit.h, history: fit.history, future: fit.panel },
      { actions: [{ driver: 'discount_pct', op: 'set', value: 40 }], conditions: { from: first, to: first } },
    );
    const base = result.baseline.models.gbm.yhat;
    const scen = result.scenario.models.gbm.yhat;
    const h = fit.h;
    // The series whose first forecast day responds most to the one-day discount.
    let s = 0;
    for (let k = 1; k < result.baseline.seriesIds.length; k++)
      if (scen[k * h] - base[k * h] > scen[s * h] - base[s * h]) s = k;
    expect(scen[s * h] - base[s * h]).toBeGreaterThan(0.5);
    // Days 2–7 read the changed day through no lag of the compact set (lags 7, 14, 28)…
    for (let k = 1; k < 7; k++) expect(scen[s * h + k]).toBe(base[s * h + k]);
    // …days 8–14 read it through lag 7 and the 28-day rolling mean of lag 7, with their drivers
    // unchanged.
    const later = Array.from({ length: 7 }, (_, i) => scen[s * h + 7 + i] - base[s * h + 7 + i]);
    expect(later.some((d) => d !== 0)).toBe(true);
  });

  test('goal seeking finds the discount that reaches a weekly target, or says it cannot', () => {
    const product = fit.retailer.truth.products[0].product_id;
    const input = { h: fit.h, history: fit.history, future: fit.panel };
    const request = {
      driver: 'discount_pct',
      op: 'add' as const,
      bounds: [0, 40] as const,
      conditions: { products: [product] },
      per: 'week' as const,
      model: 'gbm',
    };
    const baseline = goalSeek(fit.forecaster, input, { ...request, target: 0 }).baseline;
    const reachable = goalSeek(fit.forecaster, input, { ...request, target: baseline * 1.15 });
    expect(reachable.reachable).toBe(true);
    expect(reachable.achieved).toBeGreaterThanOrEqual(baseline * 1.15);
    expect(reachable.x).toBeGreaterThan(0);
    expect(reachable.x).toBeLessThanOrEqual(40);
    const unreachable = goalSeek(fit.forecaster, input, { ...request, target: baseline * 20 });
    expect(unreachable.reachable).toBe(false);
    expect(unreachable.achieved).toBeGreaterThan(baseline);
    expect(unreachable.achieved).toBeLessThan(baseline * 20);
  });
});
