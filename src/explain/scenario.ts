/**
 * What-if scenarios (Amazon Forecast's what-if actions and conditions): a scenario transforms the
 * known future drivers (discount +5 points, price × 0.9, promotion on or off) of the series and
 * dates its conditions select, and the forecaster predicts again from the same history. The
 * recursive strategy recomputes its lags from the scenario's own predictions, so an effect carries
 * through the lags.
 */
import { formatDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isCategorical, type Panel, seriesCount, seriesKey } from '../features/panel.js';
import type { Forecaster, ForecastResult } from '../forecast/forecaster.js';

export type ScenarioOp = 'add' | 'multiply' | 'set';

/** One change of one driver column; `value` is a level name only for `set` on a text column. */
export interface ScenarioAction {
  readonly driver: string;
  readonly op: ScenarioOp;
  readonly value: number | string;
}

/** Which rows a scenario changes; every given condition must hold (empty lists select nothing). */
export interface ScenarioConditions {
  /** Store ids (the part of a series id `store/product` before the slash). */
  readonly stores?: readonly string[];
  readonly products?: readonly string[];
  /** Values of the panel's `category` column. */
  readonly categories?: readonly string[];
  /** First and last day (day numbers, inclusive) of the changed period. */
  readonly from?: number;
  readonly to?: number;
}

export interface Scenario {
  readonly actions: readonly ScenarioAction[];
  readonly conditions?: ScenarioConditions;
}

/** Whether series `seriesId` passes the store and product conditions. */
export function seriesMatches(seriesId: string, conditions: ScenarioConditions = {}): boolean {
  const { store, product } = seriesKey(seriesId);
  if (conditions.stores && (store === undefined || !conditions.stores.includes(store))) return false;
  if (conditions.products && !conditions.products.includes(product)) return false;
  return true;
}

/** Paid price follows shelf price and discount, so changing either keeps the three consistent. */
const PRICE_INPUTS = new Set(['price', 'discount_pct']);

/**
 * `future` with `scenario` applied to its rows dated after each series' end in `history` (only
 * forecast periods change) that pass the conditions. Discounts are kept within 0–100%; when the
 * panel has `price`, `discount_pct` and `paid_price`, a change of the first two recomputes the
 * paid price. Returns the new panel and the number of rows changed. Throws INVALID_ARGUMENT for a
 * driver column the panel lacks or a level its text column does not know.
 */
export function applyScenario(
  future: Panel,
  history: Panel,
  scenario: Scenario,
): { panel: Panel; changedRows: number } {
  const cond = scenario.conditions ?? {};
  const lastDate = new Map<string, number>();
  for (let s = 0; s < seriesCount(history); s++)
    lastDate.set(history.seriesIds[s], history.dates[history.offsets[s + 1] - 1]);
  const category = future.exog.category;
  const categoryCodes =
    cond.categories && category && isCategorical(category)
      ? new Set(cond.categories.map((c) => category.levels.indexOf(c)))
      : undefined;
  if (cond.categories && !categoryCodes) {
    throw new SalescastError('INVALID_ARGUMENT', 'the data has no category column to filter by.', {
      field: 'categories',
    });
  }

  const selected: number[] = [];
  for (let s = 0; s < seriesCount(future); s++) {
    const id = future.seriesIds[s];
    if (!seriesMatches(id, cond)) continue;
    const after = lastDate.get(id) ?? Number.NEGATIVE_INFINITY;
    for (let r = future.offsets[s]; r < future.offsets[s + 1]; r++) {
      const d = future.dates[r];
      if (d <= after || (cond.from !== undefined && d < cond.from) || (cond.to !== undefined && d > cond.to))
        continue;
      if (categoryCodes && category && isCategorical(category) && !categoryCodes.has(category.codes[r]))
        continue;
      selected.push(r);
    }
  }

  const exog = { ...future.exog };
  for (const action of scenario.actions) {
    const col = exog[action.driver];
    if (!col) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `the data has no driver column '${action.driver}' (columns: ${Object.keys(future.exog).join(', ')}).`,
        { field: 'driver' },
      );
    }
    if (isCategorical(col)) {
      const code = col.levels.indexOf(String(action.value));
      if (action.op !== 'set' || code < 0) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `'${action.driver}' is a text column: only 'set' to one of ${col.levels.join(', ')} applies; got ${action.op} ${action.value}.`,
          { field: 'value' },
        );
      }
      const codes = Int32Array.from(col.codes);
      for (const r of selected) codes[r] = code;
      exog[action.driver] = { codes, levels: col.levels };
      continue;
    }
    const value = Number(action.value);
    if (!Number.isFinite(value)) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `the value of a '${action.driver}' action must be a number; got ${action.value}.`,
        {
          field: 'value',
        },
      );
    }
    if (action.driver === 'discount_pct' && action.op === 'set' && !(value >= 0 && value <= 100)) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `a discount is a percentage from 0 to 100; got ${value}.`,
        { field: 'value' },
      );
    }
    const values = Float64Array.from(col);
    for (const r of selected) {
      const v =
        action.op === 'add' ? values[r] + value : action.op === 'multiply' ? values[r] * value : value;
      // A discount moved past its ends stops there (goal seeking moves it by whole ranges); a
      // price cannot: a free or negative price is no scenario.
      if (action.driver === 'price' && !(v > 0)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `a price must stay above 0; the action makes it ${v} on ${formatDay(future.dates[r])}.`,
          { field: 'value' },
        );
      }
      values[r] = action.driver === 'discount_pct' ? Math.min(100, Math.max(0, v)) : v;
    }
    exog[action.driver] = values;
  }

  const { price, discount_pct: discount, paid_price: paid } = exog;
  if (
    scenario.actions.some((a) => PRICE_INPUTS.has(a.driver)) &&
    price instanceof Float64Array &&
    discount instanceof Float64Array &&
    paid instanceof Float64Array
  ) {
    const values = Float64Array.from(paid);
    for (const r of selected) values[r] = price[r] * (1 - discount[r] / 100);
    exog.paid_price = values;
  }
  return { panel: { ...future, exog }, changedRows: selected.length };
}

export interface ScenarioInput {
  readonly h: number;
  /** The history to forecast from (the forecaster's fitted one when omitted). */
  readonly history: Panel;
  /** Known future drivers, the baseline plan. */
  readonly future: Panel;
}

/** Baseline and scenario forecasts of one scenario, with the same history. */
export interface ScenarioResult {
  readonly baseline: ForecastResult;
  readonly scenario: ForecastResult;
  /** Future rows whose drivers the scenario changed. */
  readonly changedRows: number;
}

/**
 * Forecasts the baseline (drivers as planned) and the scenario; both carry the forecaster's
 * intervals. Throws INVALID_ARGUMENT when the conditions select no forecast period.
 */
export function runScenario(
  forecaster: Forecaster,
  input: ScenarioInput,
  scenario: Scenario,
): ScenarioResult {
  const { panel, changedRows } = applyScenario(input.future, input.history, scenario);
  if (changedRows === 0) {
    const end = Math.max(
      ...Array.from(
        { length: seriesCount(input.history) },
        (_, s) => input.history.dates[input.history.offsets[s + 1] - 1],
      ),
    );
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `the scenario's conditions select no forecast period of any series (forecasts start after ${formatDay(end)}).`,
      { field: 'conditions' },
    );
  }
  const options = { history: input.history };
  return {
    baseline: forecaster.predict(input.h, { ...options, future: input.future }),
    scenario: forecaster.predict(input.h, { ...options, future: panel }),
    changedRows,
  };
}

/** Per-series comparison of one model's baseline and scenario forecasts over the horizon. */
export interface ScenarioDelta {
  readonly seriesId: string;
  /** Sum over the horizon, units. */
  readonly baseline: number;
  readonly scenario: number;
  readonly delta: number;
  /** delta / baseline (NaN when the baseline is 0). */
  readonly relative: number;
  /** Sums of the lowest and highest quantile forecasts (e.g. P10, P90), when the model has them. */
  readonly baselineInterval?: readonly [number, number];
  readonly scenarioInterval?: readonly [number, number];
}

/** Sum of `values` of series `s` over the horizon `h`. */
function seriesSum(values: Float64Array, s: number, h: number): number {
  let sum = 0;
  for (let k = 0; k < h; k++) sum += values[s * h + k];
  return sum;
}

function interval(out: ForecastResult['models'][string], s: number, h: number): [number, number] | undefined {
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  if (levels.length < 2) return undefined;
  return [
    seriesSum(out.quantiles.get(levels[0])!, s, h),
    seriesSum(out.quantiles.get(levels[levels.length - 1])!, s, h),
  ];
}

/**
 * The deltas of model `model` per series. Interval sums add per-period quantiles, so they are
 * wider than the quantiles of the total would be (a conservative band).
 */
export function scenarioDeltas(result: ScenarioResult, model: string): ScenarioDelta[] {
  const base = result.baseline.models[model];
  const scen = result.scenario.models[model];
  if (!base || !scen)
    throw new SalescastError('INVALID_ARGUMENT', `the forecast has no model '${model}'.`, { field: 'model' });
  const h = result.baseline.h;
  return result.baseline.seriesIds.map((seriesId, s) => {
    const b = seriesSum(base.yhat, s, h);
    const c = seriesSum(scen.yhat, s, h);
    return {
      seriesId,
      baseline: b,
      scenario: c,
      delta: c - b,
      relative: b === 0 ? Number.NaN : (c - b) / b,
      baselineInterval: interval(base, s, h),
      scenarioInterval: interval(scen, s, h),
    };
  });
}
