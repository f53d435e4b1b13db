import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  decidePromotion,
  type PolicyScores,
  policyScores,
  resolvePolicy,
} from './promotion-policy.js';

const champion: PolicyScores = {
  wape: 0.3,
  mae: 10,
  rmse: 14,
  mase: 0.8,
  smape: 0.4,
  abs_bias: 0.05,
  coverage_error: 0.02,
};
const with_ = (patch: Partial<PolicyScores>): PolicyScores => ({ ...champion, ...patch });

describe('decidePromotion', () => {
  it('promotes when there is no champion', () => {
    const d = decidePromotion(champion, undefined);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/no champion/);
    expect(d.comparisons).toEqual([]);
  });

  it('keeps the champion on a tie, even when no improvement is required', () => {
    const d = decidePromotion(with_({}), champion, { minImprovementPct: 0 });
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/^Tie on wape/);
    expect(d.comparisons[0]).toMatchObject({ metric: 'wape', verdict: 'same', change_pct: 0 });
  });

  it('keeps the champion when the challenger is worse', () => {
    const d = decidePromotion(with_({ wape: 0.33 }), champion);
    expect(d.promote).toBe(false);
    expect(d.comparisons[0]).toMatchObject({ verdict: 'worse', change_pct: 10 });
  });

  it('needs the primary metric to improve by at least the margin (1% by default)', () => {
    // 0.3 → 0.2985 is 0.5% better: not enough; 0.3 → 0.297 is exactly 1%: enough.
    expect(decidePromotion(with_({ wape: 0.2985 }), champion).promote).toBe(false);
    expect(decidePromotion(with_({ wape: 0.297 }), champion).promote).toBe(true);
    expect(decidePromotion(with_({ wape: 0.2985 }), champion, { minImprovementPct: 0.5 }).promote).toBe(true);
  });

  it('refuses a better primary metric when a key metric regresses beyond the limit', () => {
    // RMSE 14 → 15 is 7.1% worse (limit 5%).
    const d = decidePromotion(with_({ wape: 0.25, rmse: 15 }), champion);
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/rmse 14\.00 → 15\.00/);
    expect(d.comparisons.find((c) => c.metric === 'rmse')).toMatchObject({ verdict: 'worse' });
    // 14 → 14.5 is 3.6% worse: within the limit.
    const ok = decidePromotion(with_({ wape: 0.25, rmse: 14.5 }), champion);
    expect(ok.promote).toBe(true);
    expect(ok.comparisons.find((c) => c.metric === 'rmse')).toMatchObject({ verdict: 'within' });
    // A looser limit admits the first one.
    expect(decidePromotion(with_({ wape: 0.25, rmse: 15 }), champion, { maxRegressionPct: 10 }).promote).toBe(
      true,
    );
  });

  it('ignores key-metric differences within the absolute tolerance', () => {
    // Coverage error 0.02 → 0.06 is 200% worse but within the 0.05 tolerance; 0.02 → 0.08 is not.
    expect(decidePromotion(with_({ wape: 0.25, coverage_error: 0.06 }), champion).promote).toBe(true);
    expect(decidePromotion(with_({ wape: 0.25, coverage_error: 0.08 }), champion).promote).toBe(false);
  });

  it('does not block on a key metric one side lacks, and reports it as unavailable', () => {
    const d = decidePromotion(with_({ wape: 0.25, coverage_error: null }), champion);
    expect(d.promote).toBe(true);
    expect(d.comparisons.find((c) => c.metric === 'coverage_error')).toMatchObject({
      verdict: 'unavailable',
    });
  });

  it('keeps the champion when either side lacks the primary metric', () => {
    expect(decidePromotion(with_({ wape: null }), champion).promote).toBe(false);
    expect(decidePromotion(champion, with_({ wape: null })).reason).toMatch(/champion has no wape/);
  });

  it('handles a champion with a zero error: any worse challenger is worse, equal is a tie', () => {
    const perfect = with_({ wape: 0 });
    expect(decidePromotion(with_({ wape: 0 }), perfect).reason).toMatch(/^Tie/);
    expect(decidePromotion(with_({ wape: 0.01 }), perfect).promote).toBe(false);
  });

  it('compares on another primary metric when configured', () => {
    const d = decidePromotion(with_({ rmse: 10, wape: 0.31 }), champion, {
      primaryMetric: 'rmse',
      keyMetrics: ['wape'],
    });
    expect(d.promote).toBe(true);
    expect(d.comparisons.map((c) => [c.metric, c.role])).toEqual([
      ['rmse', 'primary'],
      ['wape', 'key'],
    ]);
  });
});

describe('policyScores and resolvePolicy', () => {
  it('derives |bias| and the coverage error of the outer interval', () => {
    const s = policyScores({ wape: 0.2, rmse: 3, bias: -0.07, coverage: 0.74, interval: [0.1, 0.9] });
    expect(s.abs_bias).toBeCloseTo(0.07, 12);
    expect(s.coverage_error).toBeCloseTo(0.06, 12);
    expect(s.mase).toBeNull();
    // Stored metrics carry null where NaN was: never turned into 0.
    expect(policyScores({ wape: 0.2, bias: null, coverage: null, interval: null })).toMatchObject({
      abs_bias: null,
      coverage_error: null,
    });
  });

  it('validates overrides and names the field', () => {
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
    expect(() => resolvePolicy({ minImprovementPct: -1 })).toThrow(
      /'minImprovementPct' must be a number ≥ 0/,
    );
    expect(() => resolvePolicy({ primaryMetric: 'r2' as never })).toThrow(/'primaryMetric' must be one of/);
  });
});
