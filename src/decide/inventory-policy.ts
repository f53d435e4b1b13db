/**
 * The replenishment recommendation for one store × product: safety stock, reorder point,
 * order-up-to level, order quantity (with EOQ when an order cost is given), the projected days of
 * cover and an urgency level, all from the per-period demand forecast.
 *
 * Timing convention. Period 0 is the next period whose demand is not yet known. An order placed now
 * arrives at the start of period `leadTime`; the next chance to order is `reviewPeriod` periods later
 * (1 for daily review, 7 for weekly, 0 for continuous review), and that order arrives at
 * `leadTime + reviewPeriod`. So the stock position after ordering now must cover the risk period:
 * periods [0, leadTime + reviewPeriod). With continuous review that is exactly the lead time.
 *
 * Policy. Reorder point s = quantile of risk-period demand at the service level α; safety stock =
 * s − mean risk-period demand. Order-up-to S = quantile of the same demand at max(α, f), f being the
 * newsvendor critical fractile when price and costs are given; its overage cost is the holding cost
 * of one review period (a leftover unit waits for the next cycle), h × max(1, reviewPeriod). An order is due when the inventory
 * position (on hand + all inbound) is at or below s; it brings the position up to S, or orders the
 * EOQ when that is larger. α is a cycle service level: the probability that a replenishment cycle
 * ends without a stockout.
 */
import { invalidArgument, requireInteger, requireNonNegative, requireOpenProbability } from './arguments.js';
import type { DemandDistribution } from './demand-distribution.js';
import { type DemandSumOptions, periodsBetween, sumDemand } from './demand-sum.js';
import { criticalFractile, economicOrderQuantity } from './newsvendor.js';
import { checkInbound, type InboundOrder, projectStock } from './stock-projection.js';

/**
 * - `critical`: the stock is projected to run out before an order placed now can arrive.
 * - `high`: an order is due and the projected stock falls below the safety stock before it arrives.
 * - `normal`: an order is due (inventory position at or below the reorder point).
 * - `none`: no order is due.
 */
export type Urgency = 'critical' | 'high' | 'normal' | 'none';

export interface ReplenishmentInput {
  /** Demand distribution per period, period 0 first; must cover leadTime + reviewPeriod periods. */
  readonly forecast: readonly DemandDistribution[];
  /** Units on hand now, ≥ 0. */
  readonly onHand: number;
  /** Orders placed but not yet received. */
  readonly inbound?: readonly InboundOrder[];
  /** Periods from placing an order to its arrival, integer ≥ 0. */
  readonly leadTime: number;
  /** Periods between order opportunities: integer ≥ 0, default 1 (0 = continuous review). */
  readonly reviewPeriod?: number;
  /**
   * Target cycle service level α in (0, 1). Default: the critical fractile when `price` and
   * `unitCost` are given, otherwise 0.95.
   */
  readonly serviceLevel?: number;
  /** Paid price per unit; with `unitCost` and `holdingCost` it gives the critical fractile. */
  readonly price?: number;
  readonly unitCost?: number;
  /** Holding cost per unit per period; > 0 when price and unit cost are given, else default 0. */
  readonly holdingCost?: number;
  /** Fixed cost per order; with `holdingCost` > 0 it turns on the EOQ. */
  readonly orderCost?: number;
  /** Monte Carlo settings for forecasts without a closed-form sum. */
  readonly sum?: DemandSumOptions;
}

export interface ReplenishmentPlan {
  readonly leadTime: number;
  /** leadTime + reviewPeriod: the periods the order-up-to level must cover. */
  readonly riskPeriods: number;
  readonly serviceLevel: number;
  /** The newsvendor critical fractile, or null without price and cost. */
  readonly criticalFractile: number | null;
  readonly riskDemandMean: number;
  readonly riskDemandSd: number;
  readonly safetyStock: number;
  readonly reorderPoint: number;
  readonly orderUpTo: number;
  /** P(risk-period demand ≤ orderUpTo): the cycle service level the level actually buys (≥ target). */
  readonly expectedCycleServiceLevel: number;
  /** On hand + every inbound order. */
  readonly inventoryPosition: number;
  readonly reorderDue: boolean;
  /** The EOQ in units, or null without an order cost. */
  readonly economicOrderQuantity: number | null;
  /** Whole units to order now (0 when not due). */
  readonly orderQuantity: number;
  /** Periods the stock covers at the expected demand (see `projectStock`), null beyond the horizon. */
  readonly periodsUntilStockout: number | null;
  readonly urgency: Urgency;
}

/** Computes the replenishment plan of one series; throws INVALID_ARGUMENT naming a bad field. */
export function planReplenishment(input: ReplenishmentInput): ReplenishmentPlan {
  const { forecast, onHand, inbound = [], leadTime, reviewPeriod = 1, holdingCost = 0 } = input;
  requireNonNegative('onHand', onHand);
  requireInteger('leadTime', leadTime, 0);
  requireInteger('reviewPeriod', reviewPeriod, 0);
  requireNonNegative('holdingCost', holdingCost);
  checkInbound(inbound);
  const riskPeriods = leadTime + reviewPeriod;
  if (forecast.length < Math.max(1, riskPeriods)) {
    invalidArgument(
      'forecast',
      `at least ${Math.max(1, riskPeriods)} periods (leadTime + reviewPeriod)`,
      `${forecast.length} periods`,
    );
  }

  const hasEconomics = input.price !== undefined && input.unitCost !== undefined;
  if (hasEconomics && !(holdingCost > 0)) {
    // With free holding the fractile is 1: the level would be the distribution's maximum.
    invalidArgument('holdingCost', 'a number > 0 when price and unitCost are given', holdingCost);
  }
  // A unit left over when the next order arrives is carried for one more review period.
  const fractile = hasEconomics
    ? criticalFractile({
        price: input.price as number,
        unitCost: input.unitCost as number,
        holdingCost: holdingCost * Math.max(1, reviewPeriod),
      })
    : null;
  const serviceLevel = input.serviceLevel ?? fractile ?? 0.95;
  requireOpenProbability('serviceLevel', serviceLevel);
  const upToLevel = Math.max(serviceLevel, fractile ?? 0);

  const risk = sumDemand(periodsBetween(forecast, 0, Math.max(1, riskPeriods)), input.sum);
  // Levels are whole units, never negative (a normal forecast can put its quantiles below 0).
  const reorderPoint = Math.max(0, Math.ceil(risk.quantile(serviceLevel) - 1e-9));
  const orderUpTo = Math.max(reorderPoint, Math.ceil(risk.quantile(upToLevel) - 1e-9));
  const inventoryPosition = onHand + inbound.reduce((a, o) => a + o.units, 0);
  // An order is due at or below the reorder point, unless there is nothing to order (zero demand).
  const reorderDue = inventoryPosition <= reorderPoint && inventoryPosition < orderUpTo;

  let eoq: number | null = null;
  if (input.orderCost !== undefined) {
    let meanPerPeriod = 0;
    for (const d of forecast) meanPerPeriod += d.mean;
    meanPerPeriod /= forecast.length;
    eoq = economicOrderQuantity(meanPerPeriod, input.orderCost, holdingCost);
  }
  const needed = Math.max(0, Math.ceil(orderUpTo - inventoryPosition - 1e-9));
  const orderQuantity = reorderDue ? Math.max(needed, eoq === null ? 0 : Math.ceil(eoq)) : 0;

  const safetyStock = reorderPoint - risk.mean;
  const projection = projectStock(
    forecast.map((d) => d.mean),
    onHand,
    inbound,
  );
  const until = projection.periodsUntilStockout;
  let urgency: Urgency = 'none';
  if (until !== null && until < leadTime) urgency = 'critical';
  else if (reorderDue && projection.endStock.subarray(0, leadTime).some((s) => s < safetyStock))
    urgency = 'high';
  else if (reorderDue) urgency = 'normal';

  return {
    leadTime,
    riskPeriods,
    serviceLevel,
    criticalFractile: fractile,
    riskDemandMean: risk.mean,
    riskDemandSd: Math.sqrt(risk.variance),
    safetyStock,
    reorderPoint,
    orderUpTo,
    expectedCycleServiceLevel: risk.cdf(orderUpTo),
    inventoryPosition,
    reorderDue,
    economicOrderQuantity: eoq,
    orderQuantity,
    periodsUntilStockout: until,
    urgency,
  };
}
