/**
 * The promotion policy, as a pure function: should a challenger replace the champion? Both must
 * have been scored on the same backtest windows (the registry re-scores the champion on the
 * challenger's windows before calling this). Every metric here is an error: lower is better.
 *
 * - No champion: promote.
 * - The primary metric (default WAPE) must improve by at least `minImprovementPct` percent of the
 *   champion's value, and strictly: a tie keeps the champion.
 * - No key metric (default |bias|, interval coverage error, RMSE) may be worse by more than
 *   `maxRegressionPct` percent. A difference within the metric's absolute `tolerance` never counts
 *   (a coverage error of 0.004 against 0.002 is "100% worse" yet meaningless).
 * - A key metric that one side lacks (no intervals, say) is reported as unavailable, not blocking.
 */
import { SalescastError } from '../core/errors.js';
import type { Metrics } from '../forecast/metrics.js';

/** The metrics the policy can compare; every one is an error (lower is better). */
export const POLICY_METRICS = ['wape', 'mae', 'rmse', 'mase', 'smape', 'abs_bias', 'coverage_error'] as const;
export type PolicyMetric = (typeof POLICY_METRICS)[number];

/** One side's scores; null where the metric is undefined (e.g. no intervals, no MASE scale). */
export type PolicyScores = Readonly<Record<PolicyMetric, number | null>>;

export interface PromotionPolicy {
  readonly primaryMetric: PolicyMetric;
  /** Percent of the champion's primary metric the challenger must improve it by (≥ 0). */
  readonly minImprovementPct: number;
  readonly keyMetrics: readonly PolicyMetric[];
  /** Percent by which a key metric may get worse (≥ 0). */
  readonly maxRegressionPct: number;
  /** Absolute differences (in the metric's unit) that never count as a regression. */
  readonly tolerance: Readonly<Partial<Record<PolicyMetric, number>>>;
}

export const DEFAULT_POLICY: PromotionPolicy = {
  primaryMetric: 'wape',
  minImprovementPct: 1,
  keyMetrics: ['abs_bias', 'coverage_error', 'rmse'],
  maxRegressionPct: 5,
  // Within backtest noise: on 100 scored rows an 80% interval's coverage has a standard error of
  // 4 points, so a 5-point coverage change or a 1-point bias change proves nothing.
  tolerance: { abs_bias: 0.01, coverage_error: 0.05 },
};

export interface MetricComparison {
  readonly metric: PolicyMetric;
  readonly role: 'primary' | 'key';
  readonly challenger: number | null;
  readonly champion: number | null;
  /** (challenger − champion) / champion in percent: negative is an improvement; null if undefined. */
  readonly change_pct: number | null;
  readonly verdict: 'better' | 'same' | 'worse' | 'within' | 'unavailable';
}

export interface PromotionDecision {
  readonly promote: boolean;
  /** One sentence, for the audit trail and the API. */
  readonly reason: string;
  readonly comparisons: readonly MetricComparison[];
  readonly policy: PromotionPolicy;
}

/**
 * Backtest metrics as `scoreForecasts` returns them, or as stored in JSON (where NaN became null).
 */
export type MetricsLike = {
  readonly [K in 'wape' | 'mae' | 'rmse' | 'mase' | 'smape' | 'bias' | 'coverage']?: number | null;
} & { readonly interval?: readonly [number, number] | null };

/** The policy scores of backtest metrics: |bias|, and |coverage − nominal| of the outer interval. */
export function policyScores(m: MetricsLike | Metrics): PolicyScores {
  const finite = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const bias = finite(m.bias);
  const coverage = finite(m.coverage);
  const nominal = m.interval ? m.interval[1] - m.interval[0] : null;
  return {
    wape: finite(m.wape),
    mae: finite(m.mae),
    rmse: finite(m.rmse),
    mase: finite(m.mase),
    smape: finite(m.smape),
    abs_bias: bias === null ? null : Math.abs(bias),
    coverage_error: coverage === null || nominal === null ? null : Math.abs(coverage - nominal),
  };
}

function isPolicyMetric(v: unknown): v is PolicyMetric {
  return (POLICY_METRICS as readonly unknown[]).includes(v);
}

/** The default policy with `overrides` on top; INVALID_ARGUMENT names a bad field. */
export function resolvePolicy(overrides: Partial<PromotionPolicy> = {}): PromotionPolicy {
  const p = { ...DEFAULT_POLICY, ...overrides };
  const bad = (field: string, what: string) =>
    new SalescastError('INVALID_ARGUMENT', `The promotion policy's '${field}' ${what}.`, { field });
  if (!isPolicyMetric(p.primaryMetric))
    throw bad('primaryMetric', `must be one of ${POLICY_METRICS.join(', ')}`);
  for (const k of p.keyMetrics)
    if (!isPolicyMetric(k)) throw bad('keyMetrics', `must list metrics among ${POLICY_METRICS.join(', ')}`);
  for (const f of ['minImprovementPct', 'maxRegressionPct'] as const)
    if (!(Number.isFinite(p[f]) && p[f] >= 0)) throw bad(f, `must be a number ≥ 0; got ${p[f]}`);
  for (const [k, v] of Object.entries(p.tolerance)) {
    if (!isPolicyMetric(k)) throw bad('tolerance', `names an unknown metric '${k}'`);
    if (!(Number.isFinite(v) && (v as number) >= 0)) throw bad('tolerance', `of ${k} must be ≥ 0`);
  }
  return p;
}

const pct = (challenger: number, champion: number): number | null =>
  champion === 0 ? (challenger === 0 ? 0 : null) : ((challenger - champion) / Math.abs(champion)) * 100;

const round = (v: number | null) => (v === null ? null : Number(v.toFixed(4)));

/**
 * Decides whether `challenger` replaces `champion` (undefined when there is none) under `policy`
 * (the defaults for whatever it leaves out).
 */
export function decidePromotion(
  challenger: PolicyScores,
  champion: PolicyScores | undefined,
  policy: Partial<PromotionPolicy> = {},
): PromotionDecision {
  const p = resolvePolicy(policy);
  if (!champion) {
    return {
      promote: true,
      reason: 'There is no champion: the challenger is promoted.',
      comparisons: [],
      policy: p,
    };
  }
  const comparisons: MetricComparison[] = [];
  const primary = p.primaryMetric;
  const c = challenger[primary];
  const k = champion[primary];
  const keep = (reason: string): PromotionDecision => ({ promote: false, reason, comparisons, policy: p });

  let primaryVerdict: MetricComparison['verdict'] = 'unavailable';
  let improvement: number | null = null;
  if (c !== null && k !== null) {
    const change = pct(c, k);
    improvement = change === null ? Number.NEGATIVE_INFINITY : -change;
    primaryVerdict = c < k ? 'better' : c === k ? 'same' : 'worse';
    comparisons.push({
      metric: primary,
      role: 'primary',
      challenger: c,
      champion: k,
      change_pct: round(change),
      verdict: primaryVerdict,
    });
  } else {
    comparisons.push({
      metric: primary,
      role: 'primary',
      challenger: c,
      champion: k,
      change_pct: null,
      verdict: 'unavailable',
    });
  }

  const regressions: string[] = [];
  for (const metric of p.keyMetrics) {
    if (metric === primary) continue;
    const a = challenger[metric];
    const b = champion[metric];
    if (a === null || b === null) {
      comparisons.push({
        metric,
        role: 'key',
        challenger: a,
        champion: b,
        change_pct: null,
        verdict: 'unavailable',
      });
      continue;
    }
    const change = pct(a, b);
    const delta = a - b;
    const tolerated = delta <= (p.tolerance[metric] ?? 0);
    const worse = !tolerated && (change === null || change > p.maxRegressionPct);
    const verdict = a < b ? 'better' : a === b ? 'same' : worse ? 'worse' : 'within';
    if (worse) regressions.push(`${metric} ${b.toPrecision(4)} → ${a.toPrecision(4)}`);
    comparisons.push({ metric, role: 'key', challenger: a, champion: b, change_pct: round(change), verdict });
  }

  if (c === null) return keep(`The challenger has no ${primary}: the champion stays.`);
  if (k === null)
    return keep(`The champion has no ${primary} on the challenger's windows: the champion stays.`);
  if (primaryVerdict === 'same') return keep(`Tie on ${primary} (${c.toPrecision(4)}): the champion stays.`);
  if (improvement === null || improvement < p.minImprovementPct || primaryVerdict !== 'better') {
    const by = improvement === null || !Number.isFinite(improvement) ? 'n/a' : `${improvement.toFixed(2)}%`;
    return keep(
      `${primary} ${k.toPrecision(4)} → ${c.toPrecision(4)} improves by ${by}, less than the ${p.minImprovementPct}% required: the champion stays.`,
    );
  }
  if (regressions.length > 0) {
    return keep(
      `${primary} improves by ${improvement.toFixed(2)}% but key metrics regress by more than ${p.maxRegressionPct}%: ${regressions.join('; ')}. The champion stays.`,
    );
  }
  return {
    promote: true,
    reason: `${primary} ${k.toPrecision(4)} → ${c.toPrecision(4)} improves by ${improvement.toFixed(2)}% (≥ ${p.minImprovementPct}%) and no key metric regresses by more than ${p.maxRegressionPct}%.`,
    comparisons,
    policy: p,
  };
}
