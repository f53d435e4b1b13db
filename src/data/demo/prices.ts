/**
 * Shelf prices and discounts. The shelf price is the product's regular price, chain-wide, with an
 * occasional permanent increase. Discounts are store-level events of 3–10 days at 10–40%, drawn
 * independently of promotions and seasons so that the price elasticity is identifiable.
 */
import { formatDay } from '../../core/dates.js';
import type { Rng } from '../../core/rng.js';
import type { ProductTruth } from './catalog.js';
import { type Cell, type DemoTable, roundTo } from './table.js';
import { type DemoWindow, periodStart } from './window.js';

export interface PriceChange {
  /** First day at the new price. */
  readonly date: string;
  readonly new_price: number;
}

export interface DemoPrices {
  /** Shelf price per product per simulated day. */
  readonly shelf: readonly Float64Array[];
  /** Discount in percent per series (store-major: s × nProducts + p) per simulated day. */
  readonly discountPct: readonly Float64Array[];
  /** Permanent price changes per product (empty for most). */
  readonly changes: readonly (readonly PriceChange[])[];
}

/** Probability that a product gets one permanent price increase inside the window. */
const PRICE_CHANGE_PROBABILITY = 0.3;

export function simulatePrices(
  rng: Rng,
  products: readonly ProductTruth[],
  nStores: number,
  window: DemoWindow,
): DemoPrices {
  const shelf: Float64Array[] = [];
  const changes: PriceChange[][] = [];
  for (const product of products) {
    const prices = new Float64Array(window.nDays).fill(product.base_price);
    const productChanges: PriceChange[] = [];
    if (rng.next() < PRICE_CHANGE_PROBABILITY && window.nDays >= 30) {
      const at = 15 + rng.int(window.nDays - 15);
      const newPrice = roundTo(product.base_price * (1.03 + 0.09 * rng.next()), 2);
      prices.fill(newPrice, at);
      productChanges.push({ date: formatDay(window.firstDay + at), new_price: newPrice });
    }
    shelf.push(prices);
    changes.push(productChanges);
  }
  const discountPct: Float64Array[] = [];
  for (let s = 0; s < nStores; s++) {
    for (const product of products) {
      const r = rng.fork();
      const discount = new Float64Array(window.nDays);
      if (product.has_discount_events) {
        let t = r.int(20);
        while (t < window.nDays) {
          const length = 3 + r.int(8);
          const depth = 10 + 5 * r.int(7);
          discount.fill(depth, t, Math.min(window.nDays, t + length));
          t += length + 10 + r.int(26);
        }
      }
      discountPct.push(discount);
    }
  }
  return { shelf, discountPct, changes };
}

/** The prices source, rows ordered by date, store, product; weekly rows hold weekly means. */
export function pricesTable(
  storeIds: readonly string[],
  products: readonly ProductTruth[],
  prices: DemoPrices,
  window: DemoWindow,
): DemoTable {
  const rows: Cell[][] = [];
  const n = window.periodLength;
  for (let p = 0; p < window.nPeriods; p++) {
    const date = formatDay(periodStart(window, p));
    for (let s = 0; s < storeIds.length; s++) {
      for (let j = 0; j < products.length; j++) {
        let price = 0;
        let discount = 0;
        for (let k = p * n; k < (p + 1) * n; k++) {
          price += prices.shelf[j][k];
          discount += prices.discountPct[s * products.length + j][k];
        }
        rows.push([
          storeIds[s],
          products[j].product_id,
          date,
          roundTo(price / n, 2),
          roundTo(discount / n, 1),
        ]);
      }
    }
  }
  return { source: 'prices', columns: ['store_id', 'product_id', 'date', 'price', 'discount_pct'], rows };
}
