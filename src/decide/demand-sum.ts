/**
 * Demand summed over several periods (a lead time, a review period, a horizon), from one
 * predictive distribution per period. Periods are taken as independent given the forecast.
 *
 * - All Poisson: the sum is Poisson with the summed mean (exact).
 * - All normal: the sum is normal with summed means and variances (exact).
 * - Poisson and negative binomial: moment matching. Each NB period is Poisson(μᵢ Gᵢ) with
 *   Gᵢ ~ Gamma(kᵢ, 1/kᵢ); the sum is Poisson(Σ μᵢ Gᵢ), and Σ μᵢ Gᵢ is replaced by the gamma with
 *   the same mean and variance, giving NB(mean Σμᵢ, shape (Σμᵢ)² / Σ(μᵢ²/kᵢ)). This is exact when
 *   μᵢ/kᵢ is the same for every period (e.g. equal means and shapes) and otherwise matches the
 *   first two moments exactly; it is used because it is fast and deterministic.
 * - Anything else (quantile forecasts, samples, mixed kinds): Monte Carlo with a seed, one draw per
 *   period per sample, summed; the result is the empirical distribution of the sums.
 */
import { createRng } from '../core/rng.js';
import { invalidArgument, requireInteger } from './arguments.js';
import {
  type DemandDistribution,
  negativeBinomialDemand,
  normalDemand,
  poissonDemand,
  sampleDemand,
} from './demand-distribution.js';

export interface DemandSumOptions {
  /** Seed of the Monte Carlo draws (used only when no closed form applies). Default 1. */
  readonly seed?: number;
  /** Monte Carlo sample size. Default 20 000. */
  readonly samples?: number;
}

/** Default Monte Carlo size: the 95% quantile's probability error is then about ±0.15 points. */
export const DEFAULT_SUM_SAMPLES = 20_000;

/**
 * The distribution of the total demand of `periods` (at least one). See the module comment for
 * which result is exact. Returns a zero-demand Poisson for an empty list.
 */
export function sumDemand(
  periods: readonly DemandDistribution[],
  options: DemandSumOptions = {},
): DemandDistribution {
  if (periods.length === 0) return poissonDemand(0);
  if (periods.length === 1) return periods[0];
  const kinds = new Set(periods.map((d) => d.kind));
  let mean = 0;
  let variance = 0;
  for (const d of periods) {
    mean += d.mean;
    variance += d.variance;
  }
  if (kinds.size === 1 && kinds.has('poisson')) return poissonDemand(mean);
  if (kinds.size === 1 && kinds.has('normal')) return normalDemand(mean, Math.sqrt(variance));
  if ([...kinds].every((k) => k === 'poisson' || k === 'negative-binomial')) {
    // Σ μᵢ²/kᵢ is exactly the summed variance minus the summed mean.
    const extra = variance - mean;
    return extra > 1e-12 * Math.max(1, mean)
      ? negativeBinomialDemand(mean, (mean * mean) / extra)
      : poissonDemand(mean);
  }
  const samples = options.samples ?? DEFAULT_SUM_SAMPLES;
  requireInteger('samples', samples, 1);
  if (options.seed !== undefined && !Number.isFinite(options.seed))
    invalidArgument('seed', 'a finite number', options.seed);
  const rng = createRng(options.seed ?? 1);
  const totals = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let total = 0;
    for (const d of periods) total += Math.max(0, d.sample(rng));
    totals[i] = total;
  }
  return sampleDemand(totals);
}

/** The periods [from, to) of a per-period forecast, clamped to its horizon. */
export function periodsBetween(
  forecast: readonly DemandDistribution[],
  from: number,
  to: number,
): readonly DemandDistribution[] {
  return forecast.slice(Math.max(0, from), Math.max(0, Math.min(forecast.length, to)));
}
