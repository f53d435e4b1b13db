/**
 * Promotions: per product, a sequence of non-overlapping campaigns of 3–14 days, roughly six a
 * year, each chain-wide or limited to one store, with a mechanic (flyer, display, bogo) whose
 * demand lift is a true parameter of the product.
 */
import { formatDay } from '../../core/dates.js';
import type { Rng } from '../../core/rng.js';
import { PROMO_TYPES, type ProductTruth, type PromoType } from './catalog.js';
import type { Cell, DemoTable } from './table.js';
import type { DemoWindow } from './window.js';

export interface DemoPromotion {
  readonly promo_id: string;
  readonly product_index: number;
  /** Store index, or -1 for every store. */
  readonly store_index: number;
  readonly promo_type: PromoType;
  /** First and last simulated day index, inclusive. */
  readonly first: number;
  readonly last: number;
}

export interface DemoPromotions {
  readonly promotions: readonly DemoPromotion[];
  /** Promotion lift per series (s × nProducts + p) per simulated day; 1 without a promotion. */
  readonly lift: readonly Float64Array[];
}

const TYPE_WEIGHTS: Readonly<Record<PromoType, number>> = { flyer: 0.5, display: 0.3, bogo: 0.2 };

function drawType(rng: Rng): PromoType {
  let u = rng.next();
  for (const type of PROMO_TYPES) {
    u -= TYPE_WEIGHTS[type];
    if (u < 0) return type;
  }
  return 'flyer';
}

export function simulatePromotions(
  rng: Rng,
  products: readonly ProductTruth[],
  nStores: number,
  window: DemoWindow,
): DemoPromotions {
  const drafts: Omit<DemoPromotion, 'promo_id'>[] = [];
  products.forEach((_, j) => {
    let t = rng.int(45);
    while (t < window.nDays) {
      const length = 3 + rng.int(12);
      const chainWide = nStores === 1 || rng.next() < 0.6;
      drafts.push({
        product_index: j,
        store_index: chainWide ? -1 : rng.int(nStores),
        promo_type: drawType(rng),
        first: t,
        last: Math.min(window.nDays - 1, t + length - 1),
      });
      t += length + 30 + rng.int(46);
    }
  });
  drafts.sort((a, b) => a.first - b.first || a.product_index - b.product_index);
  const width = Math.max(4, String(drafts.length).length);
  const promotions = drafts.map((d, i) => ({ promo_id: `PR${String(i + 1).padStart(width, '0')}`, ...d }));

  const lift = Array.from({ length: nStores * products.length }, () =>
    new Float64Array(window.nDays).fill(1),
  );
  for (const promo of promotions) {
    const value = products[promo.product_index].promo_lift[promo.promo_type];
    for (let s = 0; s < nStores; s++) {
      if (promo.store_index !== -1 && promo.store_index !== s) continue;
      lift[s * products.length + promo.product_index].fill(value, promo.first, promo.last + 1);
    }
  }
  return { promotions, lift };
}

/** The promotions source, one row per promotion (each names one product), in promo_id order. */
export function promotionsTable(
  storeIds: readonly string[],
  products: readonly ProductTruth[],
  promotions: readonly DemoPromotion[],
  window: DemoWindow,
): DemoTable {
  const rows: Cell[][] = promotions.map((p) => [
    p.promo_id,
    products[p.product_index].product_id,
    p.store_index === -1 ? null : storeIds[p.store_index],
    p.promo_type,
    formatDay(window.firstDay + p.first),
    formatDay(window.firstDay + p.last),
  ]);
  return {
    source: 'promotions',
    columns: ['promo_id', 'product_id', 'store_id', 'promo_type', 'start_date', 'end_date'],
    rows,
  };
}
