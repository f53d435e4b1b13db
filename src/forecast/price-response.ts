/**
 * A per-product constant-elasticity price response, taken out of the target before a global
 * learner sees it: y' = y · (paid / base price)^(−ε), and put back on forecasts with the future
 * rows' own prices.
 *
 * Why: a global tree model pools the price response across products, so on the demo retailer weak
 * elasticities came out too strong and strong ones too weak (up to −32% off the truth), and target
 * lags read sales that earlier days of a multi-day discount had already lifted, so a what-if on
 * future discounts moved forecasts less than the data warrants. With ε estimated per product by the
 * controlled Poisson regression of `estimateElasticities` (the same estimate the pricing decisions
 * use), the learner sees price-neutral sales — lags included — and a forecast's response to a price
 * change is ε per product, exactly. Whatever the log-linear term misses is still the learner's to
 * fit from the price features.
 *
 * Products whose price does not vary enough to identify ε (the estimator's rule), or whose estimate
 * is not negative, keep their target as it is. Nothing happens on panels without price drivers or
 * with a negative target.
 */
import { isCategorical, type Panel, seriesCount, seriesKey } from '../features/panel.js';
import { estimateElasticities } from './elasticity.js';
import type { TargetTransform } from './target-transforms.js';

export interface PriceResponseJson {
  readonly kind: 'price-response';
  /** Elasticity per product id (see `seriesKey`); products absent have none. */
  readonly elasticities: Record<string, number>;
}

/** Reads log(paid price / base price) of a row of `panel`; NaN where unknown. */
type LogPriceRatio = (row: number) => number;

/**
 * log(paid price / base price) of `panel`'s rows, from `paid_price` and `base_price`, else from
 * `discount_pct` (log(1 − d/100)). Undefined when the panel has neither.
 */
export function logPaidPriceRatio(panel: Panel): LogPriceRatio | undefined {
  const paid = numeric(panel, 'paid_price');
  const base = numeric(panel, 'base_price');
  const discount = numeric(panel, 'discount_pct');
  if (paid && base) return (r) => (paid[r] > 0 && base[r] > 0 ? Math.log(paid[r] / base[r]) : Number.NaN);
  if (discount)
    return (r) => (discount[r] >= 0 && discount[r] < 100 ? Math.log1p(-discount[r] / 100) : Number.NaN);
  return undefined;
}

function numeric(panel: Panel, name: string): Float64Array | undefined {
  const col = panel.exog[name];
  return col && !isCategorical(col) ? col : undefined;
}

/** The series of row `row` (binary search over the offsets). */
function seriesOfRow(panel: Panel, row: number): number {
  let lo = 0;
  let hi = seriesCount(panel) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (panel.offsets[mid] <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The transform, with elasticities learned at fit (or restored). */
export function priceResponseTransform(elasticities = new Map<string, number>()): TargetTransform {
  // Divides (sign −1) or multiplies (+1) each row's value by its price factor.
  const scale = (panel: Panel, values: Float64Array, first: number, count: number, sign: 1 | -1) => {
    if (elasticities.size === 0) return;
    const ratio = logPaidPriceRatio(panel);
    if (!ratio) return;
    let s = seriesOfRow(panel, first);
    for (let i = 0; i < count; i++) {
      const r = first + i;
      while (r >= panel.offsets[s + 1]) s++;
      const e = elasticities.get(seriesKey(panel.seriesIds[s]).product);
      const x = e === undefined ? Number.NaN : ratio(r);
      if (Number.isFinite(x)) values[i] *= Math.exp(sign * e! * x);
    }
  };
  const apply = (panel: Panel) => {
    const out = Float64Array.from(panel.y);
    scale(panel, out, 0, out.length, -1);
    return out;
  };
  return {
    name: 'price_response',
    fitTransform(panel) {
      elasticities.clear();
      for (const [product, e] of estimate(panel)) elasticities.set(product, e);
      return apply(panel);
    },
    transform: apply,
    inverseTransform(values, at) {
      scale(at.panel, values, at.first, values.length, 1);
    },
    rowFactor(panel, row) {
      const one = Float64Array.of(1);
      scale(panel, one, row, 1, 1);
      return one[0];
    },
    toJSON: () => ({ kind: 'price-response', elasticities: Object.fromEntries(elasticities) }),
  };
}

/** Identified, negative elasticities per product of `panel`'s observed rows. */
function estimate(panel: Panel): Map<string, number> {
  const found = new Map<string, number>();
  const ratio = logPaidPriceRatio(panel);
  if (!ratio) return found;
  const rows: number[] = [];
  const x: number[] = [];
  const rowSeries: number[] = [];
  for (let s = 0; s < seriesCount(panel); s++) {
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
      const y = panel.y[r];
      if (y < 0) return found; // not a count of units: no multiplicative demand model
      const xr = ratio(r);
      if (Number.isNaN(y) || !Number.isFinite(xr)) continue;
      rows.push(r);
      x.push(xr);
      rowSeries.push(s);
    }
  }
  if (rows.length === 0) return found;
  const productIds: string[] = [];
  const productIndex = new Map<string, number>();
  const product = Int32Array.from(rowSeries, (s) => {
    const id = seriesKey(panel.seriesIds[s]).product;
    let j = productIndex.get(id);
    if (j === undefined) {
      j = productIds.length;
      productIndex.set(id, j);
      productIds.push(id);
    }
    return j;
  });
  const promoType = panel.exog.promo_type;
  const onPromo = numeric(panel, 'on_promo');
  const holiday = numeric(panel, 'is_holiday');
  const promotion =
    promoType && isCategorical(promoType)
      ? Uint8Array.from(rows, (r) => Math.min(255, promoType.codes[r] + 1))
      : onPromo
        ? Uint8Array.from(rows, (r) => (onPromo[r] > 0 ? 1 : 0))
        : undefined;
  const estimates = estimateElasticities({
    productIds,
    product,
    // Each series gets its own fixed effect within its product's regression.
    store: Int32Array.from(rowSeries),
    day: Int32Array.from(rows, (r) => panel.dates[r]),
    units: Float64Array.from(rows, (r) => panel.y[r]),
    paidPrice: Float64Array.from(x, Math.exp),
    referencePrice: new Float64Array(productIds.length).fill(1),
    promotion,
    holiday: holiday ? Uint8Array.from(rows, (r) => (holiday[r] > 0 ? 1 : 0)) : undefined,
    // Zero-weight rows are stockout days: their sales only bound demand from below.
    censored: panel.weight ? Uint8Array.from(rows, (r) => (panel.weight![r] > 0 ? 0 : 1)) : undefined,
  });
  for (const e of estimates) {
    if (e.enoughPriceVariation && e.elasticity !== null && e.elasticity < 0)
      found.set(e.productId, e.elasticity);
  }
  return found;
}
