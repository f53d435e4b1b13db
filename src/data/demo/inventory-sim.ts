/**
 * Store replenishment, simulated per day: a periodic-review, order-up-to policy with a supplier
 * lead time and occasional supplier shortfalls. Units sold are capped by the stock available that
 * day, so sold-out days censor demand.
 */
import type { Rng } from '../../core/rng.js';
import { OVERDISPERSION_SHAPE } from './demand-model.js';

/** Policy constants, recorded in truth.json. */
export const REPLENISHMENT = {
  review_period_days_fast: 3,
  review_period_days_slow: 7,
  lead_time_days_min: 1,
  lead_time_days_max: 3,
  /** Safety factor: order up to mean + z × sd of demand over review period + lead time. */
  safety_factor_z: 1.3,
  /** The planner's forecast is λ without weather, times a per-series lognormal bias of this sd. */
  planner_bias_sd: 0.15,
  /** Probability that a delivery is short, and the fraction of the order it then brings. */
  shortfall_probability: 0.06,
  shortfall_fill_max: 0.6,
} as const;

export interface ReplenishmentPolicy {
  readonly reviewPeriod: number;
  readonly leadTime: number;
  /** Review days are those with (t + offset) % reviewPeriod === 0. */
  readonly offset: number;
}

export interface InventoryTrace {
  /** Units sold per day: min(demand, stock available). */
  readonly sold: Int32Array;
  /** End-of-day stock; 0 means sold out. */
  readonly stockOnHand: Int32Array;
  /** Units received in the morning of each day. */
  readonly receipts: Int32Array;
}

function orderUpTo(plan: Float64Array, from: number, horizon: number): number {
  let mean = 0;
  let variance = 0;
  for (let d = from; d < from + horizon; d++) {
    const mu = plan[Math.min(d, plan.length - 1)];
    mean += mu;
    variance += mu + (mu * mu) / OVERDISPERSION_SHAPE;
  }
  return Math.max(1, Math.ceil(mean + REPLENISHMENT.safety_factor_z * Math.sqrt(variance)));
}

/**
 * Runs the policy over `demand` (uncensored units per day). `plan` is the planner's expected demand
 * per day. The first day starts with stock at the order-up-to level.
 */
export function simulateInventory(
  rng: Rng,
  demand: Int32Array,
  plan: Float64Array,
  policy: ReplenishmentPolicy,
): InventoryTrace {
  const n = demand.length;
  const { reviewPeriod, leadTime, offset } = policy;
  const sold = new Int32Array(n);
  const stockOnHand = new Int32Array(n);
  const receipts = new Int32Array(n);
  const arrivals = new Int32Array(n + leadTime + 1);
  let onHand = orderUpTo(plan, 0, reviewPeriod + leadTime);
  for (let t = 0; t < n; t++) {
    receipts[t] = arrivals[t];
    const available = onHand + arrivals[t];
    sold[t] = Math.min(demand[t], available);
    onHand = available - sold[t];
    stockOnHand[t] = onHand;
    if ((t + offset) % reviewPeriod === 0) {
      let position = onHand;
      for (let d = t + 1; d < t + leadTime; d++) position += arrivals[d];
      const order = Math.max(0, orderUpTo(plan, t + 1, reviewPeriod + leadTime) - position);
      const delivered =
        rng.next() < REPLENISHMENT.shortfall_probability
          ? Math.floor(order * REPLENISHMENT.shortfall_fill_max * rng.next())
          : order;
      arrivals[t + leadTime] += delivered;
    }
  }
  return { sold, stockOnHand, receipts };
}
