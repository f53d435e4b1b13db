/**
 * Stockout risk and revenue at risk over a horizon: expected lost units E[lost], the lost revenue
 * at the paid price, and the probability of running out, from the per-period demand forecast, the
 * stock on hand and inbound orders. Unmet demand is lost (customers buy elsewhere), not backordered.
 */
import { createRng } from '../core/rng.js';
import { invalidArgument, requireInteger, requireNonNegative } from './arguments.js';
import type { DemandDistribution } from './demand-distribution.js';
import { DEFAULT_SUM_SAMPLES, type DemandSumOptions, sumDemand } from './demand-sum.js';
import { arrivalsByPeriod, checkInbound, type InboundOrder } from './stock-projection.js';

export interface StockoutLossInput {
  /** Demand distribution per period, period 0 first. */
  readonly forecast: readonly DemandDistribution[];
  readonly onHand: number;
  readonly inbound?: readonly InboundOrder[];
  /** Paid price per unit (after discount), ≥ 0. */
  readonly price: number;
  /** Unit cost, for the lost margin; default 0. */
  readonly unitCost?: number;
  /** Periods to assess, default the whole forecast. */
  readonly horizon?: number;
  /** Seed and size of the Monte Carlo paths, used when stock arrives during the horizon. */
  readonly sum?: DemandSumOptions;
}

export interface StockoutLoss {
  readonly horizon: number;
  readonly expectedDemand: number;
  /** On hand plus inbound arriving within the horizon. */
  readonly availableUnits: number;
  /** E[units of demand not served]. */
  readonly expectedLostUnits: number;
  readonly expectedLostRevenue: number;
  readonly expectedLostMargin: number;
  /** P(some demand is not served within the horizon). */
  readonly stockoutProbability: number;
  /**
   * `distribution`: all stock is available from period 0, so lost units are E[(D − S)⁺] of the
   * horizon's total demand D (exact for the closed-form sums). `simulation`: inbound stock arrives
   * later, so timing matters and seeded sample paths are walked period by period.
   */
  readonly method: 'distribution' | 'simulation';
}

/** Expected lost units, revenue and margin over the horizon; throws INVALID_ARGUMENT on bad fields. */
export function stockoutLoss(input: StockoutLossInput): StockoutLoss {
  const { forecast, onHand, inbound = [], price, unitCost = 0 } = input;
  const horizon = input.horizon ?? forecast.length;
  requireNonNegative('onHand', onHand);
  requireNonNegative('price', price);
  requireNonNegative('unitCost', unitCost);
  requireInteger('horizon', horizon, 1);
  if (forecast.length < horizon)
    invalidArgument('forecast', `at least ${horizon} periods (the horizon)`, `${forecast.length} periods`);
  checkInbound(inbound);
  const periods = forecast.slice(0, horizon);
  const arrivals = arrivalsByPeriod(inbound, horizon);
  let availableUnits = onHand;
  let expectedDemand = 0;
  let lateArrivals = false;
  for (let t = 0; t < horizon; t++) {
    availableUnits += arrivals[t];
    expectedDemand += periods[t].mean;
    if (t > 0 && arrivals[t] > 0) lateArrivals = true;
  }

  let lost: number;
  let stockoutProbability: number;
  let method: StockoutLoss['method'];
  if (!lateArrivals) {
    const total = sumDemand(periods, input.sum);
    lost = total.expectedShortfall(availableUnits);
    stockoutProbability = 1 - total.cdf(availableUnits);
    method = 'distribution';
  } else {
    const samples = input.sum?.samples ?? DEFAULT_SUM_SAMPLES;
    requireInteger('samples', samples, 1);
    const rng = createRng(input.sum?.seed ?? 1);
    let lostTotal = 0;
    let outs = 0;
    for (let i = 0; i < samples; i++) {
      let stock = onHand;
      let pathLost = 0;
      for (let t = 0; t < horizon; t++) {
        stock += arrivals[t];
        const demand = Math.max(0, periods[t].sample(rng));
        if (demand > stock) {
          pathLost += demand - stock;
          stock = 0;
        } else stock -= demand;
      }
      lostTotal += pathLost;
      if (pathLost > 0) outs++;
    }
    lost = lostTotal / samples;
    stockoutProbability = outs / samples;
    method = 'simulation';
  }
  return {
    horizon,
    expectedDemand,
    availableUnits,
    expectedLostUnits: lost,
    expectedLostRevenue: lost * price,
    expectedLostMargin: lost * Math.max(0, price - unitCost),
    stockoutProbability,
    method,
  };
}
