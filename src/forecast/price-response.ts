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

/** Observed price ratios of a series whose median stands in for a row with no price at all. */
const RECENT_PRICES = 28;

/** Per row: the log price ratio, and whether it came from the recent median (no price on the row). */
interface PriceRatios {
  readonly log: Float64Array;
  readonly imputed: Uint8Array;
}

/**
 * log(paid price / base price) per row of `panel`, or null when the panel has no price driver
 * (`paid_price` with `base_price`, or `discount_pct`). Planned future rows often give only what
 * changes, so within each series:
 * - a missing `base_price` or shelf `price` is the series' last known one;
 * - a missing `paid_price` is the shelf price × (1 − `discount_pct`/100) when the discount is known,
 *   and the row's own shelf price when it states one without a discount;
 * - a row with no usable price keeps the series' recent price level: the median ratio of its last
 *   28 rows with one (a forecast without planned prices neither assumes the catalogue price nor
 *   extends a running discount event).
 */
function logPaidPriceRatios(panel: Panel): PriceRatios | null {
  const paid = numeric(panel, 'paid_price');
  const base = numeric(panel, 'base_price');
  const price = numeric(panel, 'price');
  const discount = numeric(panel, 'discount_pct');
  // With a base price, the paid price against it; without one, only the discount can say.
  const usable = (base && (paid || price || discount)) || discount;
  const out = usable
    ? { log: new Float64Array(panel.y.length), imputed: new Uint8Array(panel.y.length) }
    : null;
  if (out) {
    const positive = (v: number | undefined) =>
      v !== undefined && v > 0 && Number.isFinite(v) ? v : Number.NaN;
    for (let s = 0; s < seriesCount(panel); s++) {
      let lastBase = Number.NaN;
      let lastPrice = Number.NaN;
      const seen: number[] = [];
      for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
        const d = discount?.[r];
        const off = d !== undefined && d >= 0 && d < 100 ? 1 - d / 100 : Number.NaN;
        let x: number;
        if (base) {
          lastBase = positive(base[r]) || lastBase;
          const ownPrice = positive(price?.[r]);
          lastPrice = ownPrice || lastPrice;
          // A row that states its shelf price but no discount sells at that price.
          const paidPrice =
            positive(paid?.[r]) || (ownPrice ? ownPrice * (Number.isFinite(off) ? off : 1) : lastPrice * off);
          x = Math.log(paidPrice / lastBase);
        } else {
          x = Math.log(off);
        }
        if (Number.isFinite(x)) {
          seen.push(x);
          out.log[r] = x;
        } else {
          out.log[r] = median(seen.slice(-RECENT_PRICES));
          out.imputed[r] = 1;
        }
      }
    }
  }
  return out;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
  // Per panel object: explanations ask for one row at a time.
  const cache = new WeakMap<Panel, PriceRatios | null>();
  const ratiosOf = (panel: Panel) => {
    let ratios = cache.get(panel);
    if (ratios === undefined) {
      ratios = logPaidPriceRatios(panel);
      cache.set(panel, ratios);
    }
    return ratios;
  };
  // Divides (sign −1) or multiplies (+1) each row's value by its price factor.
  const scale = (panel: Panel, values: Float64Array, first: number, count: number, sign: 1 | -1) => {
    if (elasticities.size === 0) return;
    const ratio = ratiosOf(panel);
    if (!ratio) return;
    let s = seriesOfRow(panel, first);
    for (let i = 0; i < count; i++) {
      const r = first + i;
      while (r >= panel.offsets[s + 1]) s++;
      const e = elasticities.get(seriesKey(panel.seriesIds[s]).product);
      const x = e === undefined ? Number.NaN : ratio.log[r];
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
      for (const [product, e] of estimate(panel, ratiosOf(panel))) elasticities.set(product, e);
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
function estimate(panel: Panel, ratio: PriceRatios | null): Map<string, number> {
  const found = new Map<string, number>();
  if (!ratio) return found;
  const rows: number[] = [];
  const x: number[] = [];
  const rowSeries: number[] = [];
  for (let s = 0; s < seriesCount(panel); s++) {
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
      const y = panel.y[r];
      if (y < 0) return found; // not a count of units: no multiplicative demand model
      // Only rows with a price of their own identify the response.
      const xr = ratio.log[r];
      if (Number.isNaN(y) || ratio.imputed[r] === 1 || !Number.isFinite(xr)) continue;
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
