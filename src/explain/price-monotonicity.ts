/**
 * Monotone constraints that encode the law of demand for a gradient-boosting learner: forecast
 * units never rise with the own price paid and never fall with the discount. Without them a tree
 * model fits noise in the price response, and what-if answers on price can move the wrong way.
 */

/** Features whose increase means a higher price paid (units should not increase). */
const PRICE_UP = new Set(['price', 'paid_price', 'price_rel_base', 'price_rel_recent']);
/** Features whose increase means a deeper discount (units should not decrease). */
const DISCOUNT_UP = new Set(['discount_pct', 'discount_depth']);

/**
 * `monotoneConstraints` for GradientBoosting over features `names` (in column order): −1 for
 * own-price levels, +1 for discounts, 0 elsewhere. `price_change` stays free: a change's effect
 * depends on where the price came from.
 */
export function priceMonotoneConstraints(names: readonly string[]): number[] {
  return names.map((n) => (DISCOUNT_UP.has(n) ? 1 : PRICE_UP.has(n) ? -1 : 0));
}
