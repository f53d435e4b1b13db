/**
 * Features of the known drivers (exogenous columns): the raw columns themselves (text columns as
 * categoricals), the series identity, and derived price and promotion features when the panel has
 * the columns they need. Drivers are known for forecast periods (supplied as future values), so these
 * features may look at any position of the driver columns, past or future — never at the target.
 */
import type { Frequency } from '../core/dates.js';
import type { FeatureDefinition, SeriesView } from './definition.js';

const NEVER = Number.POSITIVE_INFINITY;

/** The raw driver `name` (categorical when its column is). */
export function exogFeature(name: string, categorical: boolean): FeatureDefinition {
  return {
    name,
    categorical,
    minLag: NEVER,
    compute(series, at, out) {
      const col = series.exog[name];
      for (let k = 0; k < at.length; k++) out[k] = col ? col[at[k]] : Number.NaN;
    },
  };
}

/** The series itself as a categorical: its index among `ids` (the training series); NaN if unseen. */
export function seriesIdFeature(ids: readonly string[]): FeatureDefinition {
  const code = new Map(ids.map((id, i) => [id, i]));
  return {
    name: 'series_id',
    categorical: true,
    minLag: NEVER,
    compute(series, at, out) {
      out.fill(code.get(series.id) ?? Number.NaN, 0, at.length);
    },
  };
}

function derived(name: string, fn: (s: SeriesView, t: number) => number): FeatureDefinition {
  return {
    name,
    categorical: false,
    minLag: NEVER,
    compute(series, at, out) {
      for (let k = 0; k < at.length; k++) out[k] = fn(series, at[k]);
    },
  };
}

/** Mean of the observed values of `col` over the `window` positions before `t`. */
function meanBefore(col: Float64Array, t: number, window: number): number {
  let sum = 0;
  let n = 0;
  for (let p = Math.max(0, t - window); p < t; p++) {
    if (!Number.isNaN(col[p])) {
      sum += col[p];
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);

/**
 * Price features, from the columns `price` (shelf price), `base_price` (regular price),
 * `paid_price` and `discount_pct` when present:
 * - `price_rel_base`: price / base price;
 * - `price_rel_recent`: price / its mean over the previous 4 weeks;
 * - `price_change`: relative change from the previous period;
 * - `discount_depth`: `discount_pct` / 100, else 1 − paid price / base price.
 */
export function priceFeatures(columns: readonly string[], freq: Frequency): FeatureDefinition[] {
  const has = (c: string) => columns.includes(c);
  const defs: FeatureDefinition[] = [];
  const recent = freq === 'week' ? 4 : 28;
  if (has('price') && has('base_price')) {
    defs.push(derived('price_rel_base', (s, t) => ratio(s.exog.price[t], s.exog.base_price[t])));
  }
  if (has('price')) {
    defs.push(
      derived('price_rel_recent', (s, t) => ratio(s.exog.price[t], meanBefore(s.exog.price, t, recent))),
      derived('price_change', (s, t) =>
        t > 0 ? ratio(s.exog.price[t], s.exog.price[t - 1]) - 1 : Number.NaN,
      ),
    );
  }
  if (has('discount_pct')) {
    defs.push(derived('discount_depth', (s, t) => s.exog.discount_pct[t] / 100));
  } else if (has('paid_price') && has('base_price')) {
    defs.push(derived('discount_depth', (s, t) => 1 - ratio(s.exog.paid_price[t], s.exog.base_price[t])));
  }
  return defs;
}

/** Periods are capped so that long stretches without promotions look alike. */
const MAX_PROMO_DISTANCE = 60;

/**
 * Promotion timing from the 0/1 column `on_promo`: `promo_periods_since` the last promoted period
 * before this one and `promo_periods_until` the next one after it (capped at 60; the promotion
 * calendar is a known driver, so looking ahead is not leakage).
 */
export function promoFeatures(columns: readonly string[]): FeatureDefinition[] {
  if (!columns.includes('on_promo')) return [];
  return [
    derived('promo_periods_since', (s, t) => {
      const c = s.exog.on_promo;
      for (let k = 1; k <= MAX_PROMO_DISTANCE; k++) if (t - k >= 0 && c[t - k] > 0) return k;
      return MAX_PROMO_DISTANCE;
    }),
    derived('promo_periods_until', (s, t) => {
      const c = s.exog.on_promo;
      for (let k = 1; k <= MAX_PROMO_DISTANCE; k++) if (t + k < c.length && c[t + k] > 0) return k;
      return MAX_PROMO_DISTANCE;
    }),
  ];
}
