/**
 * Projected stock over the forecast horizon: on-hand stock plus inbound orders on their arrival
 * period, minus the expected demand of each period.
 */
import { requireInteger, requireNonNegative } from './arguments.js';

/** An order already placed: `units` become available at the start of period `arrivalPeriod` (0 = next). */
export interface InboundOrder {
  readonly units: number;
  readonly arrivalPeriod: number;
}

/** Checks inbound orders; throws INVALID_ARGUMENT naming `inbound[i].units` or `.arrivalPeriod`. */
export function checkInbound(inbound: readonly InboundOrder[]): void {
  inbound.forEach((order, i) => {
    requireNonNegative(`inbound[${i}].units`, order.units);
    requireInteger(`inbound[${i}].arrivalPeriod`, order.arrivalPeriod, 0);
  });
}

/** Units arriving at the start of each of the first `horizon` periods. */
export function arrivalsByPeriod(inbound: readonly InboundOrder[], horizon: number): Float64Array {
  const arrivals = new Float64Array(horizon);
  for (const order of inbound)
    if (order.arrivalPeriod < horizon) arrivals[order.arrivalPeriod] += order.units;
  return arrivals;
}

export interface StockProjection {
  /** Expected stock at the end of each period, floored at 0: unmet demand is lost, not backordered. */
  readonly endStock: Float64Array;
  /**
   * Periods of expected demand the stock covers, fractional: 2.5 means the stock runs out half-way
   * through period 2 (the third). `null` when it lasts the whole horizon.
   */
  readonly periodsUntilStockout: number | null;
}

/**
 * Walks the expected demand `meanDemand` (units per period, period 0 first) against `onHand` and
 * the inbound orders. Using the mean (not a high quantile) makes this the central projection; the
 * safety margin is judged separately against the safety stock.
 */
export function projectStock(
  meanDemand: ArrayLike<number>,
  onHand: number,
  inbound: readonly InboundOrder[] = [],
): StockProjection {
  requireNonNegative('onHand', onHand);
  checkInbound(inbound);
  const horizon = meanDemand.length;
  const arrivals = arrivalsByPeriod(inbound, horizon);
  const endStock = new Float64Array(horizon);
  let stock = onHand;
  let periodsUntilStockout: number | null = null;
  for (let t = 0; t < horizon; t++) {
    stock += arrivals[t];
    const demand = meanDemand[t];
    if (periodsUntilStockout === null && demand > stock) {
      periodsUntilStockout = t + stock / demand;
    }
    stock = Math.max(0, stock - demand);
    endStock[t] = stock;
  }
  return { endStock, periodsUntilStockout };
}
