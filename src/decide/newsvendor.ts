/**
 * Newsvendor critical fractile and the economic order quantity: the two cost trade-offs behind an
 * order-up-to level and an order size.
 */
import { requireNonNegative, requirePositive } from './arguments.js';

export interface FractileCosts {
  /** Price the customer pays per unit (after any discount), > 0. */
  readonly price: number;
  /** Unit cost, ≥ 0 and below the price. */
  readonly unitCost: number;
  /**
   * Cost of holding one leftover unit until it can be sold: for a replenished item, one review
   * period (capital, space, shrink), ≥ 0.
   */
  readonly holdingCost: number;
  /**
   * Whether a unit left over at the end of the period is lost (fresh goods, salvaged at
   * `salvageValue`). Default false: leftover stock is sold later, so overstocking costs only the
   * holding cost.
   */
  readonly perishable?: boolean;
  /** Value recovered per leftover perishable unit, default 0. */
  readonly salvageValue?: number;
}

/**
 * The critical fractile Cu / (Cu + Co): the service level at which one more unit of stock breaks
 * even. Underage Cu = price − unit cost (the margin lost on a missed sale). Overage Co = holding
 * cost for stock that carries over, giving (p − c) / (p − c + h); for perishable stock
 * Co = holding cost + unit cost − salvage value. Returns a number in (0, 1]; 1 when overstocking
 * costs nothing.
 */
export function criticalFractile(costs: FractileCosts): number {
  const { price, unitCost, holdingCost, perishable = false, salvageValue = 0 } = costs;
  requirePositive('price', price);
  requireNonNegative('unitCost', unitCost);
  requireNonNegative('holdingCost', holdingCost);
  requireNonNegative('salvageValue', salvageValue);
  const underage = price - unitCost;
  requirePositive('price − unitCost (the margin)', underage);
  const overage = holdingCost + (perishable ? Math.max(0, unitCost - salvageValue) : 0);
  return underage / (underage + overage);
}

/**
 * Economic order quantity √(2 D K / h), in units: `demandPerPeriod` D (mean units per period),
 * `orderCost` K (fixed cost per order), `holdingCost` h (per unit per period, > 0). The periods of
 * D and h must be the same.
 */
export function economicOrderQuantity(
  demandPerPeriod: number,
  orderCost: number,
  holdingCost: number,
): number {
  requireNonNegative('demandPerPeriod', demandPerPeriod);
  requireNonNegative('orderCost', orderCost);
  requirePositive('holdingCost', holdingCost);
  return Math.sqrt((2 * demandPerPeriod * orderCost) / holdingCost);
}
