/**
 * A predictive distribution of demand (units) for one period or for a sum of periods. Forecasts
 * reach the decision engine in several shapes, so one abstraction covers them all:
 *
 * - `poissonDemand(mean)` and `negativeBinomialDemand(mean, shape)`: exact discrete count models
 *   (variance μ and μ + μ²/k), as the global models and the demo truth use;
 * - `normalDemand(mean, sd)`: the textbook case, for hand checks and large volumes;
 * - `quantileDemand(levels, values)`: the quantile columns of a forecast (q0.1, q0.5, q0.9 or a
 *   denser grid), read as a piecewise-linear quantile function;
 * - `sampleDemand(values)`: Monte Carlo samples or sample paths summed over periods.
 *
 * Every kind answers the same questions (mean, quantile, P(D ≤ x), E[(D − s)⁺]) and can draw a
 * sample with a seeded generator, which is what lead-time aggregation of mixed kinds needs.
 */
import type { Rng } from '../core/rng.js';
import {
  invalidArgument,
  requireFinite,
  requireNonNegative,
  requireNonNegativeArray,
  requireOpenProbability,
  requirePositive,
} from './arguments.js';
import { normalCdf, normalLoss, normalQuantile } from './normal.js';

export type DemandKind = 'poisson' | 'negative-binomial' | 'normal' | 'quantiles' | 'samples';

export interface DemandDistribution {
  readonly kind: DemandKind;
  readonly mean: number;
  readonly variance: number;
  /**
   * Smallest x with P(D ≤ x) ≥ p, for p in (0, 1). Discrete kinds return whole units, so a level
   * built from it is met with probability at least p.
   */
  quantile(p: number): number;
  /** P(D ≤ x). */
  cdf(x: number): number;
  /** Expected shortfall of a stock `s`: E[(D − s)⁺], in units. */
  expectedShortfall(s: number): number;
  /** One draw. */
  sample(rng: Rng): number;
}

/** Tail mass left out when a count distribution is tabulated. */
const TAIL_EPSILON = 1e-12;

/**
 * A count distribution tabulated on 0..K, K being where the remaining tail mass drops below 1e-12.
 * Quantiles, the CDF and shortfalls are then exact sums (up to that tail).
 */
abstract class TabulatedCount implements DemandDistribution {
  abstract readonly kind: DemandKind;
  abstract readonly mean: number;
  abstract readonly variance: number;
  private table: Float64Array | undefined;

  /** log P(D = 0) and the ratio P(D = j) / P(D = j − 1). */
  protected abstract logP0(): number;
  protected abstract ratio(j: number): number;
  abstract sample(rng: Rng): number;

  /** Cumulative probabilities P(D ≤ j), j = 0..K. */
  protected cumulative(): Float64Array {
    if (this.table !== undefined) return this.table;
    const values: number[] = [];
    // Recurse in log space so that P(D = 0) may underflow for large means without losing the body.
    let logP = this.logP0();
    let total = 0;
    for (let j = 0; ; j++) {
      if (j > 0) logP += Math.log(this.ratio(j));
      total += Math.exp(logP);
      values.push(Math.min(1, total));
      if (j > this.mean && 1 - total < TAIL_EPSILON) break;
      if (j > this.mean + 60 * Math.sqrt(this.variance) + 100) break;
    }
    this.table = Float64Array.from(values);
    return this.table;
  }

  quantile(p: number): number {
    requireOpenProbability('p', p);
    const cdf = this.cumulative();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] >= p) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  cdf(x: number): number {
    if (x < 0) return 0;
    const cdf = this.cumulative();
    const j = Math.floor(x);
    return j >= cdf.length ? 1 : cdf[j];
  }

  expectedShortfall(s: number): number {
    if (s <= 0) return this.mean - s;
    // E[(D − s)⁺] = E[D] − E[min(D, s)], and E[min(D, s)] = Σ_{j < s} P(D > j) for integer s; a
    // fractional s adds its last partial unit.
    const cdf = this.cumulative();
    let covered = 0;
    const whole = Math.floor(s);
    for (let j = 0; j < whole; j++) covered += 1 - (j < cdf.length ? cdf[j] : 1);
    covered += (s - whole) * (1 - (whole < cdf.length ? cdf[whole] : 1));
    return Math.max(0, this.mean - covered);
  }
}

class PoissonDemand extends TabulatedCount {
  readonly kind = 'poisson';
  readonly variance: number;
  constructor(readonly mean: number) {
    super();
    this.variance = mean;
  }
  protected logP0(): number {
    return -this.mean;
  }
  protected ratio(j: number): number {
    return this.mean / j;
  }
  sample(rng: Rng): number {
    return rng.poisson(this.mean);
  }
}

class NegativeBinomialDemand extends TabulatedCount {
  readonly kind = 'negative-binomial';
  readonly variance: number;
  constructor(
    readonly mean: number,
    readonly shape: number,
  ) {
    super();
    this.variance = mean + (mean * mean) / shape;
  }
  protected logP0(): number {
    return this.shape * Math.log(this.shape / (this.shape + this.mean));
  }
  protected ratio(j: number): number {
    return ((this.shape + j - 1) / j) * (this.mean / (this.mean + this.shape));
  }
  sample(rng: Rng): number {
    // Gamma–Poisson mixture, exactly as the demand is generated.
    return rng.poisson((this.mean * rng.gamma(this.shape)) / this.shape);
  }
}

class NormalDemand implements DemandDistribution {
  readonly kind = 'normal';
  readonly variance: number;
  constructor(
    readonly mean: number,
    readonly sd: number,
  ) {
    this.variance = sd * sd;
  }
  quantile(p: number): number {
    requireOpenProbability('p', p);
    return this.mean + this.sd * normalQuantile(p);
  }
  cdf(x: number): number {
    if (this.sd === 0) return x >= this.mean ? 1 : 0;
    return normalCdf((x - this.mean) / this.sd);
  }
  expectedShortfall(s: number): number {
    if (this.sd === 0) return Math.max(0, this.mean - s);
    return this.sd * normalLoss((s - this.mean) / this.sd);
  }
  sample(rng: Rng): number {
    return this.mean + this.sd * rng.normal();
  }
}

/**
 * Piecewise-linear quantile function through (level, value) knots. Beyond the outer knots it
 * continues the slope of the outer segment to p = 0 and p = 1 (clamped at 0 units on the left), so
 * the tails are bounded and no more spread is invented than the forecast states.
 */
class QuantileDemand implements DemandDistribution {
  readonly kind = 'quantiles';
  readonly mean: number;
  readonly variance: number;
  /** Knots including the extrapolated ends p = 0 and p = 1. */
  private readonly p: Float64Array;
  private readonly q: Float64Array;

  constructor(levels: Float64Array, values: Float64Array) {
    const n = levels.length;
    const p = new Float64Array(n + 2);
    const q = new Float64Array(n + 2);
    p.set(levels, 1);
    q.set(values, 1);
    p[n + 1] = 1;
    const slopeLow = n >= 2 ? (values[1] - values[0]) / (levels[1] - levels[0]) : 0;
    const slopeHigh = n >= 2 ? (values[n - 1] - values[n - 2]) / (levels[n - 1] - levels[n - 2]) : 0;
    q[0] = Math.max(0, values[0] - slopeLow * levels[0]);
    q[n + 1] = values[n - 1] + slopeHigh * (1 - levels[n - 1]);
    this.p = p;
    this.q = q;
    // Moments of a piecewise-linear quantile function: integrate Q(p) and Q(p)² segment by segment
    // (exact for linear segments).
    let m1 = 0;
    let m2 = 0;
    for (let k = 0; k + 1 < p.length; k++) {
      const w = p[k + 1] - p[k];
      const a = q[k];
      const b = q[k + 1];
      m1 += (w * (a + b)) / 2;
      m2 += (w * (a * a + a * b + b * b)) / 3;
    }
    this.mean = m1;
    this.variance = Math.max(0, m2 - m1 * m1);
  }

  quantile(level: number): number {
    requireOpenProbability('p', level);
    const { p, q } = this;
    let k = 0;
    while (k + 2 < p.length && p[k + 1] < level) k++;
    const w = p[k + 1] - p[k];
    return w > 0 ? q[k] + ((q[k + 1] - q[k]) * (level - p[k])) / w : q[k + 1];
  }

  cdf(x: number): number {
    const { p, q } = this;
    if (x < q[0]) return 0;
    if (x >= q[q.length - 1]) return 1;
    // Largest level whose quantile is ≤ x (flat stretches of Q take their upper end).
    let k = q.length - 2;
    while (k > 0 && q[k] > x) k--;
    const rise = q[k + 1] - q[k];
    return rise > 0 ? p[k] + ((p[k + 1] - p[k]) * (x - q[k])) / rise : p[k + 1];
  }

  expectedShortfall(s: number): number {
    // ∫₀¹ (Q(p) − s)⁺ dp, exactly, segment by segment.
    const { p, q } = this;
    let total = 0;
    for (let k = 0; k + 1 < p.length; k++) {
      const w = p[k + 1] - p[k];
      const a = q[k] - s;
      const b = q[k + 1] - s;
      if (a >= 0 && b >= 0) total += (w * (a + b)) / 2;
      else if (a < 0 && b > 0) total += (w * b * b) / (2 * (b - a));
      else if (a > 0 && b < 0) total += (w * a * a) / (2 * (a - b));
    }
    return total;
  }

  sample(rng: Rng): number {
    // Inverse transform; next() is in [0, 1), and level 0 is a valid end knot of Q.
    const u = rng.next();
    return u === 0 ? this.q[0] : this.quantile(u);
  }
}

class SampleDemand implements DemandDistribution {
  readonly kind = 'samples';
  readonly mean: number;
  readonly variance: number;
  /** Sorted ascending. */
  private readonly sorted: Float64Array;

  constructor(values: Float64Array) {
    this.sorted = Float64Array.from(values).sort();
    let s = 0;
    let s2 = 0;
    for (const v of this.sorted) {
      s += v;
      s2 += v * v;
    }
    const n = this.sorted.length;
    this.mean = s / n;
    this.variance = Math.max(0, s2 / n - this.mean * this.mean);
  }

  quantile(p: number): number {
    requireOpenProbability('p', p);
    // Inverse of the empirical distribution function: smallest sample with F ≥ p.
    const n = this.sorted.length;
    return this.sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n - 1e-9) - 1))];
  }

  cdf(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo / this.sorted.length;
  }

  expectedShortfall(s: number): number {
    let total = 0;
    for (let i = this.sorted.length - 1; i >= 0 && this.sorted[i] > s; i--) total += this.sorted[i] - s;
    return total / this.sorted.length;
  }

  sample(rng: Rng): number {
    return this.sorted[rng.int(this.sorted.length)];
  }
}

/** Poisson demand with mean `mean` ≥ 0 units. */
export function poissonDemand(mean: number): DemandDistribution {
  requireNonNegative('mean', mean);
  return new PoissonDemand(mean);
}

/**
 * Negative binomial demand (gamma–Poisson mixture) with mean `mean` ≥ 0 and shape k > 0:
 * variance μ + μ²/k. Use `negativeBinomialFromVariance` when the forecast states a variance.
 */
export function negativeBinomialDemand(mean: number, shape: number): DemandDistribution {
  requireNonNegative('mean', mean);
  requirePositive('shape', shape);
  return new NegativeBinomialDemand(mean, shape);
}

/**
 * The count distribution with mean `mean` and variance `variance`: negative binomial with shape
 * μ² / (σ² − μ) when overdispersed, Poisson when σ² ≤ μ (underdispersion is not representable by
 * either, and Poisson is its closest conservative choice).
 */
export function negativeBinomialFromVariance(mean: number, variance: number): DemandDistribution {
  requireNonNegative('mean', mean);
  requireNonNegative('variance', variance);
  return variance > mean * (1 + 1e-9) && mean > 0
    ? new NegativeBinomialDemand(mean, (mean * mean) / (variance - mean))
    : new PoissonDemand(mean);
}

/** Normal demand N(mean, sd²); `sd` ≥ 0. Negative values keep their probability mass. */
export function normalDemand(mean: number, sd: number): DemandDistribution {
  requireFinite('mean', mean);
  requireNonNegative('sd', sd);
  return new NormalDemand(mean, sd);
}

/**
 * Demand given by forecast quantiles: `levels` strictly increasing in (0, 1), `values` the units
 * at those levels (≥ 0). Crossed quantiles (a higher level with fewer units) are sorted back into
 * order, the usual rearrangement fix for quantile models trained one level at a time.
 */
export function quantileDemand(levels: ArrayLike<number>, values: ArrayLike<number>): DemandDistribution {
  if (levels.length === 0) invalidArgument('levels', 'a non-empty array', '[]');
  if (values.length !== levels.length) {
    invalidArgument(
      'values',
      `an array of ${levels.length} values (one per level)`,
      `${values.length} values`,
    );
  }
  for (let i = 0; i < levels.length; i++) {
    requireOpenProbability(`levels[${i}]`, levels[i]);
    if (i > 0 && !(levels[i] > levels[i - 1])) {
      invalidArgument(`levels[${i}]`, `greater than levels[${i - 1}] = ${levels[i - 1]}`, levels[i]);
    }
  }
  requireNonNegativeArray('values', values);
  return new QuantileDemand(Float64Array.from(levels), Float64Array.from(values).sort());
}

/** The empirical distribution of `values` (≥ 0 units each, at least one). */
export function sampleDemand(values: ArrayLike<number>): DemandDistribution {
  if (values.length === 0) invalidArgument('values', 'a non-empty array', '[]');
  requireNonNegativeArray('values', values);
  return new SampleDemand(Float64Array.from(values));
}
