import { describe, expect, test } from 'vitest';
import { dayOfWeek, parseIsoDay } from '../core/dates.js';
import { createRng } from '../core/rng.js';
import { buildPanel, type Panel, panelThrough } from '../features/panel.js';
import { GradientBoosting } from '../ml/index.js';
import { Forecaster } from './forecaster.js';
import { globalModel } from './global-model.js';
import { priceResponseTransform } from './price-response.js';
import {
  applyTransforms,
  invertTransforms,
  levelTransform,
  targetTransformFromJson,
} from './target-transforms.js';

const FIRST = parseIsoDay('2024-01-01') as number;
const DAYS = 500;

/**
 * Two products × three stores: P1 has discount events (0, 10, 20 or 30% for 4 days in every 17)
 * and a true elasticity of −2, P2 never changes price. A weekly pattern, a store effect and a
 * promotion lift move demand too; P1 loses half its units on censored (stockout, weight 0) days.
 */
function syntheticPanel(discountOf: (product: number, t: number) => number = defaultDiscount): Panel {
  const rng = createRng(7);
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const weight: number[] = [];
  const discountPct: number[] = [];
  const promo: number[] = [];
  for (let j = 0; j < 2; j++) {
    for (let s = 0; s < 3; s++) {
      for (let t = 0; t < DAYS; t++) {
        const d = FIRST + t;
        const discount = discountOf(j, t);
        const onPromo = t % 50 < 5 ? 1 : 0;
        const mu =
          8 *
          (1 + 0.5 * s) *
          (dayOfWeek(d) >= 4 ? 1.3 : 0.9) *
          (1 - discount / 100) ** -2 *
          (onPromo ? 1.5 : 1);
        const censored = j === 0 && t % 23 === 0;
        const units = rng.poisson(mu);
        seriesId.push(`S${s}/P${j + 1}`);
        date.push(d);
        y.push(censored ? Math.floor(units / 2) : units);
        weight.push(censored ? 0 : 1);
        discountPct.push(discount);
        promo.push(onPromo);
      }
    }
  }
  return buildPanel(
    { seriesId, date, y, weight, exog: { discount_pct: discountPct, on_promo: promo } },
    { freq: 'day' },
  );
}

function defaultDiscount(product: number, t: number): number {
  return product === 0 && t % 17 < 4 ? [10, 20, 30][t % 3] : 0;
}

describe('priceResponseTransform', () => {
  const panel = syntheticPanel();

  test('estimates the elasticity of the product whose price moves, and only that one', () => {
    const t = priceResponseTransform();
    t.fitTransform(panel);
    const json = t.toJSON();
    expect(json.kind).toBe('price-response');
    const { elasticities } = json as { elasticities: Record<string, number> };
    expect(Object.keys(elasticities)).toEqual(['P1']);
    expect(elasticities.P1).toBeGreaterThan(-2.2);
    expect(elasticities.P1).toBeLessThan(-1.8);
  });

  test('divides each row by its price factor, and inverts exactly with the rows’ own prices', () => {
    const t = priceResponseTransform(new Map([['P1', -2]]));
    const out = t.transform(panel);
    const discount = panel.exog.discount_pct as Float64Array;
    for (let r = 0; r < panel.y.length; r++) {
      const p1 = panel.seriesIds[Math.floor(r / DAYS)].endsWith('/P1');
      const factor = p1 ? (1 - discount[r] / 100) ** -2 : 1;
      expect(out[r]).toBeCloseTo(panel.y[r] / factor, 9);
      expect(t.rowFactor?.(panel, r)).toBeCloseTo(factor, 12);
    }
    const values = out.slice(DAYS, 2 * DAYS);
    invertTransforms([t], values, { panel, series: 1, first: DAYS });
    for (let i = 0; i < DAYS; i++) expect(values[i]).toBeCloseTo(panel.y[DAYS + i], 9);
  });

  test('restores from JSON after a level transform, in the chain order', () => {
    const chain = [priceResponseTransform(), levelTransform(28)];
    const fitted = applyTransforms(panel, chain, true);
    const restored = chain.map((t) => targetTransformFromJson(t.toJSON()));
    expect([...applyTransforms(panel, restored, false).y]).toEqual([...fitted.y]);
  });

  test('fills planned rows that give only part of the price from the series’ own history', () => {
    // Shelf price 10 above a base price of 8, a 20% discount on days 30–33; then a planned day with
    // only a 10% discount, and days with no price at all.
    const n = 45;
    const known = (t: number) => t < 40;
    const p = buildPanel(
      {
        seriesId: Array(n).fill('S1/P1'),
        date: Array.from({ length: n }, (_, t) => FIRST + t),
        y: Array.from({ length: n }, (_, t) => (known(t) ? 5 : Number.NaN)),
        exog: {
          price: Array.from({ length: n }, (_, t) => (known(t) ? 10 : Number.NaN)),
          base_price: Array.from({ length: n }, (_, t) => (known(t) ? 8 : Number.NaN)),
          discount_pct: Array.from({ length: n }, (_, t) =>
            t >= 30 && t < 34 ? 20 : t === 40 ? 10 : known(t) ? 0 : Number.NaN,
          ),
          paid_price: Array.from({ length: n }, (_, t) =>
            known(t) ? (t >= 30 && t < 34 ? 8 : 10) : Number.NaN,
          ),
        },
      },
      { freq: 'day' },
    );
    const t = priceResponseTransform(new Map([['P1', -2]]));
    const factor = (row: number) => t.rowFactor?.(p, row) ?? Number.NaN;
    expect(factor(31)).toBeCloseTo(1, 12); // paid 8 = base 8
    expect(factor(0)).toBeCloseTo((10 / 8) ** -2, 12);
    // Shelf and base price carried forward, the planned discount applied.
    expect(factor(40)).toBeCloseTo(((10 * 0.9) / 8) ** -2, 12);
    // A planned shelf price without a discount is the price paid.
    const planned = Float64Array.from(p.exog.price as Float64Array);
    planned[42] = 7;
    const withPrice = { ...p, exog: { ...p.exog, price: planned } };
    expect(t.rowFactor?.(withPrice, 42)).toBeCloseTo((7 / 8) ** -2, 12);
    // No price: the median of the last 28 priced days (24 at 10, 4 discounted to 8), not the event.
    for (let row = 41; row < n; row++) expect(factor(row)).toBeCloseTo((10 / 8) ** -2, 12);
  });

  test('reads the discount alone when there is no base price to compare the paid price with', () => {
    const paid = (panel.exog.discount_pct as Float64Array).map((d) => 2 * (1 - d / 100));
    const p: Panel = { ...panel, exog: { ...panel.exog, paid_price: paid } };
    const t = priceResponseTransform(new Map([['P1', -2]]));
    const discount = panel.exog.discount_pct as Float64Array;
    for (const r of [0, 1, 2, 3, 4])
      expect(t.rowFactor?.(p, r)).toBeCloseTo((1 - discount[r] / 100) ** -2, 12);
  });

  test('does nothing without a price driver or on a target that goes negative', () => {
    const noPrice: Panel = { ...panel, exog: { on_promo: panel.exog.on_promo } };
    const a = priceResponseTransform();
    expect([...a.fitTransform(noPrice)]).toEqual([...panel.y]);
    expect(a.toJSON()).toEqual({ kind: 'price-response', elasticities: {} });
    const y = Float64Array.from(panel.y);
    y[3] = -1;
    const b = priceResponseTransform();
    expect([...b.fitTransform({ ...panel, y })]).toEqual([...y]);
    expect(b.toJSON()).toEqual({ kind: 'price-response', elasticities: {} });
  });
});

describe('a forecaster with the price response', () => {
  const h = 14;
  const forecaster = (transforms: boolean) =>
    new Forecaster({
      models: {
        gbm: () =>
          globalModel({
            learner: () =>
              new GradientBoosting({
                nEstimators: 80,
                learningRate: 0.1,
                loss: 'poisson',
                nThreads: 1,
                seed: 0,
              }),
          }),
      },
      lags: [14, 21, 28],
      strategy: 'direct',
      quantiles: [],
      targetTransforms: () => [...(transforms ? [priceResponseTransform()] : []), levelTransform(28)],
    });
  const panel = syntheticPanel();
  const end = FIRST + DAYS - 1;
  const history = panelThrough(panel, end - h);
  // The same future with P1 at 0% and at 20% off on every forecast day.
  const futureAt = (discount: number) =>
    panelThrough(
      syntheticPanel((j, t) => (t >= DAYS - h ? (j === 0 ? discount : 0) : defaultDiscount(j, t))),
      end,
    );
  const p1Units = (f: Forecaster, discount: number) => {
    const result = f.predict(h, { future: futureAt(discount) });
    let sum = 0;
    result.seriesIds.forEach((id, s) => {
      if (!id.endsWith('/P1')) return;
      for (let k = 0; k < h; k++) sum += result.models.gbm.yhat[s * h + k];
    });
    return sum;
  };

  test('responds to a future discount with the product’s elasticity', () => {
    const f = forecaster(true).fit(history, { h });
    const ratio = p1Units(f, 20) / p1Units(f, 0);
    // Truth: 0.8^−2 = 1.5625; the estimate's error is the only source of difference.
    expect(ratio).toBeGreaterThan(1.5625 * 0.95);
    expect(ratio).toBeLessThan(1.5625 * 1.05);
  });

  test('survives serialisation: the restored forecaster forecasts identically', () => {
    const f = forecaster(true).fit(history, { h });
    const restored = Forecaster.deserialize(f.serialize());
    const a = f.predict(h, { future: futureAt(20) }).models.gbm.yhat;
    const b = restored.predict(h, { future: futureAt(20) }).models.gbm.yhat;
    expect([...b]).toEqual([...a]);
  });
});
