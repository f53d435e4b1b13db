/**
 * Simulates the replenishment policy of `planReplenishment` on demand drawn from a known negative
 * binomial model, to measure the service it actually delivers. This is how the policy is verified
 * against the demo data's truth: the forecast handed to the policy is the true distribution
 * (λ per period, shape k), demand is drawn from it, and the achieved service is counted.
 *
 * Each period: inbound stock due that period arrives; on review periods the policy places an order
 * that arrives `leadTime` periods later; then demand is served from stock, and what stock cannot
 * serve is lost. The cycle of a review at period t is [t + L, t + L + R): from the arrival of its
 * order to the arrival of the next one. Its demand is served in full exactly when the order-up-to
 * level covered the risk period, which is what the cycle service level α promises.
 */
import { createRng } from '../core/rng.js';
import { requireInteger, requireNonNegativeArray, requirePositive } from './arguments.js';
import { negativeBinomialDemand } from './demand-distribution.js';
import { planReplenishment, type ReplenishmentInput } from './inventory-policy.js';
import type { InboundOrder } from './stock-projection.js';

export interface PolicySimulationInput {
  /** True expected demand λ per period. */
  readonly expected: ArrayLike<number>;
  /** Negative binomial shape k of the demand (variance λ + λ²/k). */
  readonly shape: number;
  readonly leadTime: number;
  /** Periods between reviews, ≥ 1. */
  readonly reviewPeriod: number;
  /** Policy settings passed through to `planReplenishment`. */
  readonly policy?: Pick<
    ReplenishmentInput,
    'serviceLevel' | 'price' | 'unitCost' | 'holdingCost' | 'orderCost'
  >;
  /** Independent demand paths over the same λ; default 1. */
  readonly replications?: number;
  readonly seed: number;
}

export interface PolicySimulationResult {
  /** Review cycles counted (those whose whole cycle lies inside the horizon). */
  readonly cycles: number;
  /** Share of cycles without lost demand. */
  readonly cycleServiceLevel: number;
  /** Share of demand served. */
  readonly fillRate: number;
  /** Mean end-of-period stock. */
  readonly averageStock: number;
  /** The policy's own promise: mean P(risk-period demand ≤ order-up-to) over the reviews. */
  readonly promisedCycleServiceLevel: number;
}

/** Runs the policy over `expected.length` periods per replication; see the module comment. */
export function simulateReplenishment(input: PolicySimulationInput): PolicySimulationResult {
  const { expected, shape, leadTime, reviewPeriod, replications = 1, seed } = input;
  requireNonNegativeArray('expected', expected);
  requirePositive('shape', shape);
  requireInteger('leadTime', leadTime, 0);
  requireInteger('reviewPeriod', reviewPeriod, 1);
  requireInteger('replications', replications, 1);
  const n = expected.length;
  const risk = leadTime + reviewPeriod;
  const forecast = Array.from({ length: n }, (_, t) => negativeBinomialDemand(expected[t], shape));
  const root = createRng(seed);

  let cycles = 0;
  let goodCycles = 0;
  let demanded = 0;
  let served = 0;
  let stockSum = 0;
  let periods = 0;
  let promised = 0;
  let reviews = 0;
  for (let rep = 0; rep < replications; rep++) {
    const rng = root.fork();
    const arrivals = new Float64Array(n + risk + 1);
    const lost = new Uint8Array(n);
    const reviewDays: number[] = [];
    let onHand = 0;
    for (let t = 0; t < n; t++) {
      onHand += arrivals[t];
      if (t % reviewPeriod === 0 && t + risk <= n) {
        const inbound: InboundOrder[] = [];
        for (let u = t + 1; u < t + risk; u++)
          if (arrivals[u] > 0) inbound.push({ units: arrivals[u], arrivalPeriod: u - t });
        const plan = planReplenishment({
          forecast: forecast.slice(t, t + risk),
          onHand,
          inbound,
          leadTime,
          reviewPeriod,
          ...input.policy,
        });
        if (leadTime === 0) onHand += plan.orderQuantity;
        else arrivals[t + leadTime] += plan.orderQuantity;
        promised += plan.expectedCycleServiceLevel;
        reviews++;
        reviewDays.push(t);
      }
      const demand = rng.poisson((expected[t] * rng.gamma(shape)) / shape);
      const sold = Math.min(demand, onHand);
      if (sold < demand) lost[t] = 1;
      onHand -= sold;
      demanded += demand;
      served += sold;
      stockSum += onHand;
      periods++;
    }
    // The first cycles start before the first order arrives (stock starts at 0), so they are
    // warm-up, not policy outcomes: count cycles of reviews after the first.
    for (const t of reviewDays.slice(1)) {
      const from = t + leadTime;
      const to = from + reviewPeriod;
      if (to > n) continue;
      cycles++;
      let ok = true;
      for (let u = from; u < to; u++) if (lost[u]) ok = false;
      if (ok) goodCycles++;
    }
  }
  return {
    cycles,
    cycleServiceLevel: cycles > 0 ? goodCycles / cycles : 0,
    fillRate: demanded > 0 ? served / demanded : 1,
    averageStock: periods > 0 ? stockSum / periods : 0,
    promisedCycleServiceLevel: reviews > 0 ? promised / reviews : 0,
  };
}
