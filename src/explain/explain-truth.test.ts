/**
 * Explanations checked against the demo retailer's truth (issue #8, item 7): the what-if response
 * to a discount recovers the true price elasticity, promotion days' uplift is attributed to the
 * promotion, and SHAP values sum to the predictions.
 */
import { beforeAll, expect, test } from 'vitest';
import { isCategorical, type Panel, seriesKey } from '../features/panel.js';
import { explainForecast, explainRows } from './contributions.js';
import { DRIVERS } from './drivers.js';
import { runScenario } from './scenario.js';
import { type DemoFit, fitDemoForecaster } from './testing/demo-forecaster.js';

let fit: DemoFit;
beforeAll(() => {
  // Poisson loss (log link) on the level-normalised target, compact features, monotone price
  // constraints and the per-product price response taken out of the target (see docs/EXPLAIN.md
  // for the figures of other configurations).
  fit = fitDemoForecaster({
    stores: 4,
    products: 6,
    days: 730,
    h: 7,
    strategy: 'direct',
    trees: 400,
    learningRate: 0.1,
    loss: 'poisson',
    features: 'compact',
    quantiles: [],
    priceResponse: true,
  });
});

/**
 * The data's own rule for "enough price variation" (it never reads the truth): a fast mover
 * (≥ 1 unit per series-day on average) with ≥ 3 distinct discount depths and ≥ 100 discounted
 * observed series-days in the history.
 */
function enoughPriceVariation(history: Panel, product: string): boolean {
  const discount = history.exog.discount_pct as Float64Array;
  const depths = new Set<number>();
  let discounted = 0;
  let units = 0;
  let rows = 0;
  history.seriesIds.forEach((id, s) => {
    if (seriesKey(id).product !== product) return;
    for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++) {
      if (Number.isNaN(history.y[r])) continue;
      units += history.y[r];
      rows++;
      if (discount[r] > 0) {
        discounted++;
        depths.add(Math.round(discount[r]));
      }
    }
  });
  return units / rows >= 1 && depths.size >= 3 && discounted >= 100;
}

interface Recovery {
  readonly product: string;
  readonly truth: number;
  readonly implied: number;
  readonly error: number;
}

/**
 * The elasticity implied by the forecaster's what-if response, per product with enough price
 * variation: units over the horizon and the product's stores at discounts 0, 10, 20 and 30%, and
 * the least-squares slope of log units on the log paid-price ratio.
 */
function impliedElasticities(): Recovery[] {
  const input = { h: fit.h, history: fit.history, future: fit.panel };
  const checked: Recovery[] = [];
  for (const product of fit.retailer.truth.products) {
    if (!enoughPriceVariation(fit.history, product.product_id)) continue;
    const depths = [0, 10, 20, 30];
    const x = depths.map((d) => Math.log(1 - d / 100));
    const y = depths.map((d) => {
      const run = runScenario(fit.forecaster, input, {
        actions: [{ driver: 'discount_pct', op: 'set', value: d }],
        conditions: { products: [product.product_id] },
      });
      let units = 0;
      run.scenario.seriesIds.forEach((id, s) => {
        if (seriesKey(id).product !== product.product_id) return;
        for (let k = 0; k < fit.h; k++) units += run.scenario.models.gbm.yhat[s * fit.h + k];
      });
      return Math.log(units);
    });
    const mx = x.reduce((a, b) => a + b) / x.length;
    const my = y.reduce((a, b) => a + b) / y.length;
    let sxy = 0;
    let sxx = 0;
    x.forEach((xi, i) => {
      sxy += (xi - mx) * (y[i] - my);
      sxx += (xi - mx) ** 2;
    });
    const implied = sxy / sxx;
    checked.push({
      product: product.product_id,
      truth: product.price_elasticity,
      implied,
      error: (implied - product.price_elasticity) / product.price_elasticity,
    });
  }
  return checked;
}

let recovery: Recovery[];
beforeAll(() => {
  recovery = impliedElasticities();
  console.log(
    'elasticity recovery',
    JSON.stringify(
      recovery.map((c) => ({ ...c, implied: +c.implied.toFixed(3), error: +c.error.toFixed(3) })),
    ),
  );
});

test('the products with enough price variation are checked, and each responds to a discount', () => {
  // The data's rule keeps exactly the fast movers that have discount events in the truth.
  expect(recovery.map((c) => c.product)).toEqual(
    fit.retailer.truth.products
      .filter((p) => p.has_discount_events && !p.is_slow_mover)
      .map((p) => p.product_id),
  );
  expect(recovery.length).toBeGreaterThanOrEqual(3);
  for (const c of recovery) expect(c.implied, c.product).toBeLessThan(0);
});

// Issue #8 item 7: ±15% on every product. The forecaster's price-response transform carries each
// product's own elasticity; without it the global tree pooled the response across products and
// missed P005 by −17.5% (docs/EXPLAIN.md).
test('the what-if response recovers every true elasticity within ±15%', () => {
  for (const c of recovery) expect(Math.abs(c.error), c.product).toBeLessThanOrEqual(0.15);
});

test('on promotion days the drivers attribute most of the uplift to the promotion', () => {
  const { history } = fit;
  const promo = history.exog.on_promo as Float64Array;
  const type = history.exog.promo_type;
  if (!type || !isCategorical(type)) throw new Error('promo_type should be categorical');
  // Every promotion day of the last 240 days paired with the same weekday a week earlier, off
  // promotion; only those rows are explained.
  const rows: number[] = [];
  const pairs: [number, number][] = [];
  for (let s = 0; s < history.seriesIds.length; s++) {
    const a = history.offsets[s];
    const b = history.offsets[s + 1];
    for (let r = Math.max(a + 7, b - 240); r < b; r++) {
      if (
        promo[r] !== 1 ||
        promo[r - 7] !== 0 ||
        Number.isNaN(history.y[r]) ||
        Number.isNaN(history.y[r - 7])
      )
        continue;
      pairs.push([r, r - 7]);
      rows.push(r - 7, r);
    }
  }
  const sorted = Int32Array.from(new Set(rows)).sort();
  const c = explainRows(fit.internals, 'gbm', history, sorted);
  const at = new Map(Array.from(sorted, (r, i) => [r, i]));
  const nd = DRIVERS.length;
  const p = DRIVERS.indexOf('promotion');
  let change = 0;
  let promotion = 0;
  let promoLargest = 0;
  let modelLift = 0;
  let trueLift = 0;
  for (const [r, ref] of pairs) {
    const i = at.get(r)!;
    const j = at.get(ref)!;
    const delta = DRIVERS.map((_, k) => c.byDriver[i * nd + k] - c.byDriver[j * nd + k]);
    change += c.prediction[i] - c.prediction[j];
    promotion += delta[p];
    if (delta.every((v, k) => k === p || Math.abs(v) <= delta[p])) promoLargest++;
    modelLift += delta[p] / c.prediction[j];
    const product = fit.retailer.truth.products.find(
      (x) => x.product_id === seriesKey(c.seriesIds[c.series[i]]).product,
    )!;
    const mechanic = type.levels[type.codes[r]] as keyof typeof product.promo_lift;
    trueLift += product.promo_lift[mechanic] - 1;
  }
  const n = pairs.length;
  const share = promotion / change;
  console.log(
    'promotion attribution',
    JSON.stringify({
      pairs: n,
      change,
      promotion,
      share,
      promoLargestShare: promoLargest / n,
      meanModelLift: modelLift / n,
      meanTrueLift: trueLift / n,
    }),
  );
  expect(n).toBeGreaterThan(100);
  expect(change).toBeGreaterThan(0);
  expect(share).toBeGreaterThan(0.5);
  expect(promoLargest / n).toBeGreaterThan(0.5);
  // The promotion's share of the predicted level matches the true lifts on average (±25%).
  expect(modelLift / n).toBeGreaterThan(0.75 * (trueLift / n));
  expect(modelLift / n).toBeLessThan(1.25 * (trueLift / n));
});

test('SHAP values sum to the prediction, in the model space and in units', () => {
  const forecast = fit.forecaster.predict(fit.h, { history: fit.history, future: fit.panel });
  const c = explainForecast(fit.internals, 'gbm', forecast, { history: fit.history, future: fit.panel });
  expect(c.link).toBe('log');
  // The price response taken out of the target comes back as its own contribution.
  expect(c.featureNames.at(-1)).toBe('price_response');
  let maxUnitsError = 0;
  const p = c.featureNames.length;
  for (let i = 0; i < c.prediction.length; i++) {
    let sum = c.base[i];
    for (let j = 0; j < p; j++) sum += c.values[i * p + j];
    maxUnitsError = Math.max(maxUnitsError, Math.abs(sum - forecast.models.gbm.yhat[i]));
  }
  console.log('additivity', JSON.stringify({ raw: c.maxAdditivityError, units: maxUnitsError }));
  expect(c.maxAdditivityError).toBeLessThan(1e-9);
  expect(maxUnitsError).toBeLessThan(1e-9);
});
