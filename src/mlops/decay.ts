/**
 * Model decay: the realized error of production forecasts against the actuals that arrived since,
 * compared with the error the version's backtest led us to expect. Pure functions: no I/O.
 *
 * Realized WAPE is computed per monitoring period (`periodDays` days, counted from the first
 * forecast date): Σ|y − ŷ| / Σ|y| over the rows of that period. A period *exceeds* when its WAPE is
 * above `expected × (1 + margin)`. The model has *decayed* when the most recent `periods` periods
 * all exceed: a run that has since recovered is history, not decay.
 */
import { formatDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';

export interface DecayPolicy {
  /** Allowed relative excess over the expected WAPE, e.g. 0.25 = 25 %. */
  margin: number;
  /** Consecutive exceeding periods (the most recent ones) that make decay. */
  periods: number;
  /** Length of a monitoring period in days (7 = weekly). */
  periodDays: number;
}

/** Defaults: realized WAPE 25 % above the backtest's, for the 2 latest weeks. */
export const DEFAULT_DECAY_POLICY: DecayPolicy = { margin: 0.25, periods: 2, periodDays: 7 };

export interface PeriodError {
  /** First and last day of the period, YYYY-MM-DD. */
  start: string;
  end: string;
  /** Rows with an actual. */
  n: number;
  actual: number;
  abs_error: number;
  /** Σ|y − ŷ| / Σ|y|; NaN when every actual of the period is 0. */
  wape: number;
  exceeded: boolean;
}

export interface DecayResult {
  expected_wape: number;
  /** expected × (1 + margin). */
  threshold: number;
  /** Realized WAPE over all periods together. */
  realized_wape: number;
  periods: PeriodError[];
  /** Exceeding periods at the end of the list, in a row. */
  trailing_exceeded: number;
  decayed: boolean;
  policy: DecayPolicy;
}

/** Checks a policy; throws INVALID_ARGUMENT naming the field. */
export function checkDecayPolicy(policy: DecayPolicy): DecayPolicy {
  const bad = (field: string, rule: string, got: number) =>
    new SalescastError('INVALID_ARGUMENT', `The decay '${field}' must be ${rule}; got ${got} instead.`, {
      field,
    });
  if (!(policy.margin >= 0 && policy.margin <= 10)) throw bad('margin', 'a number in [0, 10]', policy.margin);
  if (!Number.isInteger(policy.periods) || policy.periods < 1 || policy.periods > 52) {
    throw bad('periods', 'an integer in [1, 52]', policy.periods);
  }
  if (!Number.isInteger(policy.periodDays) || policy.periodDays < 1 || policy.periodDays > 366) {
    throw bad('period_days', 'an integer in [1, 366]', policy.periodDays);
  }
  return policy;
}

/**
 * Realized error per period. `date` holds day numbers, `y` actuals (NaN rows are skipped) and
 * `yhat` forecasts, all of the same length, in any order.
 */
export function periodErrors(
  date: Int32Array,
  y: Float64Array,
  yhat: Float64Array,
  periodDays: number,
): Omit<PeriodError, 'exceeded'>[] {
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < date.length; i++) if (Number.isFinite(y[i])) first = Math.min(first, date[i]);
  if (!Number.isFinite(first)) return [];
  const buckets = new Map<number, { n: number; actual: number; abs: number }>();
  for (let i = 0; i < date.length; i++) {
    if (!Number.isFinite(y[i]) || !Number.isFinite(yhat[i])) continue;
    const k = Math.floor((date[i] - first) / periodDays);
    const b = buckets.get(k) ?? { n: 0, actual: 0, abs: 0 };
    b.n++;
    b.actual += Math.abs(y[i]);
    b.abs += Math.abs(y[i] - yhat[i]);
    buckets.set(k, b);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, b]) => ({
      start: formatDay(first + k * periodDays),
      end: formatDay(first + (k + 1) * periodDays - 1),
      n: b.n,
      actual: b.actual,
      abs_error: b.abs,
      wape: b.actual > 0 ? b.abs / b.actual : Number.NaN,
    }));
}

/** Applies the policy to per-period errors. A period with undefined WAPE never exceeds. */
export function detectDecay(
  periods: readonly Omit<PeriodError, 'exceeded'>[],
  expectedWape: number,
  policy: DecayPolicy = DEFAULT_DECAY_POLICY,
): DecayResult {
  checkDecayPolicy(policy);
  const threshold = expectedWape * (1 + policy.margin);
  const marked = periods.map((p) => ({ ...p, exceeded: p.wape > threshold }));
  let trailing = 0;
  for (let i = marked.length - 1; i >= 0 && marked[i].exceeded; i--) trailing++;
  const actual = marked.reduce((s, p) => s + p.actual, 0);
  const abs = marked.reduce((s, p) => s + p.abs_error, 0);
  return {
    expected_wape: expectedWape,
    threshold,
    realized_wape: actual > 0 ? abs / actual : Number.NaN,
    periods: marked,
    trailing_exceeded: trailing,
    decayed: Number.isFinite(expectedWape) && trailing >= policy.periods,
    policy,
  };
}
