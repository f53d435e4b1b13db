/**
 * Goal seeking: the smallest change of one driver, within permitted bounds, whose scenario forecast
 * reaches a target, e.g. "what discount gives 150 units a week of product P005?". The search is
 * one-dimensional: a grid over the bounds finds where the response crosses the target, and
 * bisection refines the crossing nearest to "no change" (a tree model's response is a step
 * function, so the refinement stops at the step that reaches the target). When no value in the
 * bounds reaches the target the answer says so and gives the best value achievable.
 */
import { periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { Forecaster } from '../forecast/forecaster.js';
import {
  runScenario,
  type ScenarioConditions,
  type ScenarioInput,
  type ScenarioOp,
  seriesMatches,
} from './scenario.js';

/** A one-dimensional search over `x` in [lo, hi], where `origin` (in the bounds) is "no change". */
export interface SearchProblem {
  readonly lo: number;
  readonly hi: number;
  readonly origin: number;
  readonly target: number;
  /** The response at `x` (e.g. forecast units under the scenario with change `x`). */
  readonly evaluate: (x: number) => number;
  /** Grid points over [lo, hi]; default 11. */
  readonly gridPoints?: number;
  /** Bisection steps on the bracketing interval; default 12. */
  readonly refineSteps?: number;
}

export interface SearchResult {
  readonly reachable: boolean;
  /** The change found: the reaching value nearest to the origin, or the best one when unreachable. */
  readonly x: number;
  /** The response at `x`. */
  readonly achieved: number;
  /** The response at the origin. */
  readonly baseline: number;
  /** How many times `evaluate` ran. */
  readonly evaluations: number;
}

/**
 * Finds the x nearest to `origin` whose response reaches `target` (≥ target when the origin's
 * response is below it, ≤ target when above). Exact to the bisection tolerance when the response
 * is monotone between grid points; otherwise it returns a grid-verified reaching point.
 */
export function seekTarget(problem: SearchProblem): SearchResult {
  const { lo, hi, origin, target, evaluate } = problem;
  if (!(lo <= origin && origin <= hi)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `the bounds [${lo}, ${hi}] must contain the current value ${origin}.`,
      {
        field: 'bounds',
      },
    );
  }
  let evaluations = 0;
  const f = (x: number) => {
    evaluations++;
    return evaluate(x);
  };
  const baseline = f(origin);
  const up = baseline < target;
  const reaches = (v: number) => (up ? v >= target : v <= target);
  if (reaches(baseline)) return { reachable: true, x: origin, achieved: baseline, baseline, evaluations };

  const n = Math.max(2, problem.gridPoints ?? 11);
  const grid = new Set<number>([lo, hi, origin]);
  for (let i = 0; i <= n - 1; i++) grid.add(lo + ((hi - lo) * i) / (n - 1));
  const xs = [...grid].sort((a, b) => Math.abs(a - origin) - Math.abs(b - origin));
  const values = new Map<number, number>([[origin, baseline]]);
  for (const x of xs) if (!values.has(x)) values.set(x, f(x));

  // The reaching grid point nearest to the origin, and its neighbour on the origin's side, which
  // does not reach (every point nearer to the origin on that side was checked first).
  let best: { x: number; inner: number } | undefined;
  for (const side of [-1, 1]) {
    const path = [...values.keys()]
      .filter((x) => (x - origin) * side >= 0)
      .sort((a, b) => Math.abs(a - origin) - Math.abs(b - origin));
    for (let i = 1; i < path.length; i++) {
      if (reaches(values.get(path[i])!)) {
        if (!best || Math.abs(path[i] - origin) < Math.abs(best.x - origin))
          best = { x: path[i], inner: path[i - 1] };
        break;
      }
    }
  }
  if (!best) {
    let bx = origin;
    for (const [x, v] of values) if (Math.abs(v - target) < Math.abs(values.get(bx)! - target)) bx = x;
    return { reachable: false, x: bx, achieved: values.get(bx)!, baseline, evaluations };
  }
  let { x: outer, inner } = best;
  let achieved = values.get(outer)!;
  for (let k = 0; k < (problem.refineSteps ?? 12); k++) {
    const mid = (outer + inner) / 2;
    const v = f(mid);
    if (reaches(v)) {
      outer = mid;
      achieved = v;
    } else inner = mid;
  }
  return { reachable: true, x: outer, achieved, baseline, evaluations };
}

export interface GoalSeekRequest {
  /**
   * The driver column to change, and how: `add` points, `multiply` by a factor, or `set` a level
   * (when there is no planned value to change: the smallest level that reaches the target).
   */
  readonly driver: string;
  readonly op: ScenarioOp;
  /**
   * Permitted range of the change: e.g. [0, 30] points of discount, [0.8, 1.2] × price, or
   * discount levels [0, 40] to set.
   */
  readonly bounds: readonly [number, number];
  /** Series and dates changed, and counted towards the target. */
  readonly conditions?: ScenarioConditions;
  /** Target of the forecast units summed over the selected series. */
  readonly target: number;
  /** 'horizon': units over the whole horizon; 'week': mean units per 7 days of the horizon. */
  readonly per: 'horizon' | 'week';
  /** The forecaster's model whose forecast counts. */
  readonly model: string;
}

export interface GoalSeekResult extends SearchResult {
  readonly driver: string;
  readonly op: ScenarioOp;
  readonly bounds: readonly [number, number];
  readonly target: number;
  readonly per: 'horizon' | 'week';
}

/**
 * Seeks the smallest change of `request.driver` within its bounds whose scenario forecast of the
 * selected series reaches `request.target`. Each evaluation re-runs the forecaster's prediction.
 * A `set` search starts from the lowest level; its `baseline` is still the unchanged forecast.
 */
export function goalSeek(
  forecaster: Forecaster,
  input: ScenarioInput,
  request: GoalSeekRequest,
): GoalSeekResult {
  const [lo, hi] = request.bounds;
  const origin = request.op === 'add' ? 0 : request.op === 'multiply' ? 1 : lo;
  const weeks = (input.h * periodDays(input.history.freq)) / 7;
  const total = (forecast: ReturnType<Forecaster['predict']>) => {
    const out = forecast.models[request.model];
    if (!out)
      throw new SalescastError('INVALID_ARGUMENT', `the forecaster has no model '${request.model}'.`, {
        field: 'model',
      });
    let sum = 0;
    forecast.seriesIds.forEach((id, s) => {
      if (!seriesMatches(id, request.conditions)) return;
      for (let k = 0; k < forecast.h; k++) sum += out.yhat[s * forecast.h + k];
    });
    return request.per === 'week' ? sum / weeks : sum;
  };
  const unchanged = () =>
    total(forecaster.predict(input.h, { history: input.history, future: input.future }));
  const evaluate = (x: number) =>
    x === origin && request.op !== 'set'
      ? unchanged()
      : total(
          runScenario(forecaster, input, {
            actions: [{ driver: request.driver, op: request.op, value: x }],
            conditions: request.conditions,
          }).scenario,
        );
  const result = seekTarget({ lo, hi, origin, target: request.target, evaluate });
  const answer = {
    ...result,
    driver: request.driver,
    op: request.op,
    bounds: request.bounds,
    target: request.target,
    per: request.per,
  };
  // The search's origin is a level, not "no change": the forecast as it stands is one more run.
  if (request.op === 'set') return { ...answer, baseline: unchanged(), evaluations: result.evaluations + 1 };
  return answer;
}
