/**
 * Explanations of a fitted forecaster as the API and the CLI answer them: drivers of a forecast,
 * "why did sales change", what-if scenarios, goal seeking and the executive PDF report. The answer
 * functions (`explainAnswer`, `whatIfAnswer`, `goalSeekAnswer`, `reportPdf`) take a forecaster, its
 * history and the known future drivers, so `salescast explain|whatif|report` (files) and the
 * routes (the tenant's production model) share them; `createExplainService` adds the tenant scope,
 * the permission check and metering.
 */
import { formatDay, parseIsoDay, periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isInputNumber, LARGEST_INPUT } from '../core/magnitude.js';
import { attributeChange, type Period } from '../explain/change-attribution.js';
import {
  type Contributions,
  type DriverContributions,
  driverRows,
  explainForecast,
  explainRows,
} from '../explain/contributions.js';
import { DRIVERS, type Driver } from '../explain/drivers.js';
import { type ForecasterInternals, forecasterInternals } from '../explain/forecaster-internals.js';
import { type GlobalImportance, globalImportance } from '../explain/global-importance.js';
import { goalSeek } from '../explain/goal-seek.js';
import { changeNarrative } from '../explain/narrative.js';
import {
  runScenario,
  type ScenarioAction,
  type ScenarioConditions,
  scenarioDeltas,
  seriesMatches,
} from '../explain/scenario.js';
import { analyzeSegment } from '../explain/segment-analysis.js';
import type { Segment } from '../explain/segment-series.js';
import {
  buildPanel,
  extendPanel,
  isCategorical,
  lastDate,
  type Panel,
  panelLevels,
  seriesCount,
  seriesKey,
} from '../features/panel.js';
import { ENSEMBLE, type Forecaster, type ForecastResult } from '../forecast/forecaster.js';
import { DEFAULT_MODEL_NAME, type ProductionModels } from '../mlops/production-models.js';
import { type Principal, requirePermission } from '../platform/principal.js';
import type { TenantService } from '../platform/tenant-service.js';
import type { UsageService } from '../platform/usage-service.js';
import { renderReport } from '../reports/pdf-report.js';
import { segmentSection } from '../reports/segment-report.js';

/** A forecaster with the history to forecast from and the known drivers of the forecast periods. */
export interface ExplainData {
  readonly forecaster: Forecaster;
  readonly history: Panel;
  /**
   * Known future drivers (matched by series and date). Without them the drivers of the forecast
   * periods are unknown, as in `Forecaster.predict` without `future`.
   */
  readonly future?: Panel;
  /** Forecast periods; default the horizon the forecaster was fitted for. */
  readonly h?: number;
  /** The global model to explain (e.g. `gbm` of the `auto` preset); default `gbm`, else the first. */
  readonly component?: string;
}

/** Which series an answer is about: one series, a store, a product, or (what-if) a category. */
export interface Selection {
  readonly series?: string;
  readonly store?: string;
  readonly product?: string;
  readonly category?: string;
}

// Internals decode the forecaster's artifact; a served forecaster is explained many times.
const internalsCache = new WeakMap<Forecaster, ForecasterInternals>();

function internalsOf(forecaster: Forecaster): ForecasterInternals {
  let internals = internalsCache.get(forecaster);
  if (!internals) {
    internals = forecasterInternals(forecaster);
    internalsCache.set(forecaster, internals);
  }
  return internals;
}

/** The global model explained: the requested one, else `gbm`, else the first global model. */
function componentOf(internals: ForecasterInternals, requested?: string): string {
  const names = [...internals.models.keys()];
  if (requested !== undefined) {
    if (!internals.models.has(requested)) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `model '${requested}' has no learner to explain (explainable models: ${names.join(', ') || 'none'}).`,
        { field: 'model' },
      );
    }
    return requested;
  }
  if (names.length === 0) throw noLearnerToExplain();
  return names.includes('gbm') ? 'gbm' : names[0];
}

/**
 * The forecast an explanation, what-if or goal seek answers for: the requested component (which
 * may be `ensemble`), else the served output, which is the ensemble when there is one (its
 * members' drivers and responses weighted; a local member such as ETS has none), else the global
 * model. Either way the forecaster must have a global model, or there is nothing to explain.
 */
function scenarioOutputOf(internals: ForecasterInternals, data: ExplainData): string {
  const ensemble = data.forecaster.modelNames.includes(ENSEMBLE) && (data.component ?? ENSEMBLE) === ENSEMBLE;
  const learner = componentOf(internals, ensemble ? undefined : data.component);
  return ensemble ? ENSEMBLE : learner;
}

const noLearnerToExplain = () =>
  new SalescastError(
    'INVALID_ARGUMENT',
    'this forecaster has no global model to explain (ETS and naive models have no drivers); train gbm, rf or linear.',
    { field: 'model' },
  );

const horizonOf = (data: ExplainData) => data.h ?? data.forecaster.horizon;
// The drivers `predict` would assume (those given, the rest filled), so that a scenario changes
// those: a discount on a price nobody gave applies to the price the forecast assumes.
const futureOf = (data: ExplainData, h: number) =>
  extendPanel(data.history, h, data.future, data.forecaster.knownDrivers);

/**
 * The store/product/category conditions of a selection, checked against the history: an unknown
 * series, store, product or category is NOT_FOUND naming the field.
 */
export function selectionConditions(history: Panel, selection: Selection): ScenarioConditions {
  const keys = history.seriesIds.map(seriesKey);
  const unknown = (field: string, value: string) =>
    new SalescastError('NOT_FOUND', `unknown ${field} '${value}': no series of the data has it.`, { field });
  const cond: { stores?: string[]; products?: string[]; categories?: string[] } = {};
  if (selection.series !== undefined) {
    if (!history.seriesIds.includes(selection.series)) throw unknown('series', selection.series);
    const key = seriesKey(selection.series);
    if (key.store !== undefined) cond.stores = [key.store];
    cond.products = [key.product];
  }
  if (selection.store !== undefined) {
    if (!keys.some((k) => k.store === selection.store)) throw unknown('store', selection.store);
    cond.stores = [selection.store];
  }
  if (selection.product !== undefined) {
    if (!keys.some((k) => k.product === selection.product)) throw unknown('product', selection.product);
    cond.products = [selection.product];
  }
  if (selection.category !== undefined) {
    const col = history.exog.category;
    if (!col || !isCategorical(col) || !col.levels.includes(selection.category))
      throw unknown('category', selection.category);
    cond.categories = [selection.category];
  }
  return cond;
}

// ---------------------------------------------------------------------------------------------
// Scenario actions: 'discount+5', 'price*0.9', 'promo=on'

/** Short driver names users type, and the panel column each stands for. */
const DRIVER_ALIASES: Readonly<Record<string, string>> = {
  discount: 'discount_pct',
  promo: 'on_promo',
  promotion: 'on_promo',
  temperature: 'temp_c',
  holiday: 'is_holiday',
};

const ON_OFF: Readonly<Record<string, number>> = { on: 1, off: 0, true: 1, false: 0, yes: 1, no: 0 };

/** An unsigned decimal amount: the sign is the operator's ('discount++5' is refused, not read as +5). */
const AMOUNT = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const ACTION = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([+\-*=])\s*(\S(?:.*\S)?)\s*$/;

/** The panel column a typed driver name stands for (`discount` → `discount_pct`). */
export function driverColumn(name: string): string {
  return DRIVER_ALIASES[name] ?? name;
}

/**
 * Parses a scenario action: `<driver>+<n>` / `<driver>-<n>` (add points or units), `<driver>*<f>`
 * (multiply) or `<driver>=<value>` (set; `on`/`off` for promotion, a level name for a text column).
 * `field` names the input in errors (e.g. `actions[1]`).
 */
export function parseAction(text: string, field = 'action'): ScenarioAction {
  const m = ACTION.exec(text);
  if (!m) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${field} '${text}' is not <driver><op><value> with op one of + - * = (e.g. discount+5, price*0.9, promo=on).`,
      { field },
    );
  }
  const [, name, op, raw] = m;
  const driver = driverColumn(name);
  const number = Number(raw);
  if (AMOUNT.test(raw.replace(/^-/, '')) && !isInputNumber(number)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${field} '${text}': ${raw} is beyond the largest value a scenario may set (±${LARGEST_INPUT}).`,
      { field },
    );
  }
  if (op === '=') {
    const onOff = ON_OFF[raw.toLowerCase()];
    if (onOff !== undefined) return { driver, op: 'set', value: onOff };
    return { driver, op: 'set', value: AMOUNT.test(raw.replace(/^-/, '')) ? number : raw };
  }
  if (!AMOUNT.test(raw)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${field} '${text}': '${raw}' is not a number (${op === '*' ? 'a factor such as 0.9' : 'an amount such as 5'}).`,
      { field },
    );
  }
  if (op === '*') return { driver, op: 'multiply', value: number };
  return { driver, op: 'add', value: op === '-' ? -number : number };
}

/**
 * Whether the future drivers given plan a value of the numeric `driver` for some forecast period
 * of a series matching `conditions`.
 */
function plannedDriverKnown(
  data: ExplainData,
  h: number,
  driver: string,
  conditions: ScenarioConditions,
): boolean {
  const given = data.future;
  const col = given?.exog[driver];
  if (!given || !col || isCategorical(col)) return false;
  const step = periodDays(data.history.freq);
  const index = new Map(given.seriesIds.map((id, s) => [id, s]));
  return data.history.seriesIds.some((id, s) => {
    const f = index.get(id);
    if (f === undefined || !seriesMatches(id, conditions)) return false;
    const end = data.history.dates[data.history.offsets[s + 1] - 1];
    for (let r = given.offsets[f]; r < given.offsets[f + 1]; r++) {
      const d = given.dates[r];
      if (d > end && d <= end + h * step && Number.isFinite(col[r])) return true;
    }
    return false;
  });
}

/**
 * An add or multiply action needs the planned value it changes: without future drivers given (or
 * with a column they leave empty) it is refused rather than applied to the recent typical value
 * the forecast assumes, which nobody planned.
 */
function requireKnownDrivers(
  data: ExplainData,
  h: number,
  actions: readonly ScenarioAction[],
  conditions: ScenarioConditions,
): void {
  for (const action of actions) {
    if (action.op === 'set') continue;
    const trained = data.history.exog[action.driver];
    if (!trained || isCategorical(trained)) continue; // applyScenario names these errors.
    if (!plannedDriverKnown(data, h, action.driver, conditions)) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `the planned '${action.driver}' of the forecast periods is unknown, so '${action.op === 'add' ? '+' : '*'}' has nothing to change: give the future drivers or set a value with '='.`,
        { field: 'future' },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` day number, or INVALID_ARGUMENT naming `field`. */
export function dayOf(text: string, field: string): number {
  const d = DAY.test(text) ? parseIsoDay(text) : undefined;
  if (d === undefined)
    throw new SalescastError('INVALID_ARGUMENT', `${field} '${text}' is not a date (YYYY-MM-DD).`, { field });
  return d;
}

/** NaN and infinities are not JSON numbers. */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

type DriverUnits = Partial<Record<(typeof DRIVERS)[number], number>>;

function driverObject(values: Float64Array, offset: number): DriverUnits {
  const out: DriverUnits = {};
  DRIVERS.forEach((d, k) => {
    if (values[offset + k] !== 0) out[d] = values[offset + k];
  });
  return out;
}

/** Rows of the selected series of `history` with an observed target dated `from`..`to`. */
function observedRows(history: Panel, cond: ScenarioConditions, from: number, to: number): Int32Array {
  const rows: number[] = [];
  history.seriesIds.forEach((id, s) => {
    if (!seriesMatches(id, cond)) return;
    for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++) {
      const d = history.dates[r];
      if (d >= from && d <= to && !Number.isNaN(history.y[r])) rows.push(r);
    }
  });
  return Int32Array.from(rows);
}

/** The segment of a selection's conditions, and the display label of a single series. */
function segmentOf(cond: ScenarioConditions): { segment: Segment; label?: string } {
  const store = cond.stores?.[0];
  const product = cond.products?.[0];
  if (store !== undefined && product !== undefined)
    return { segment: { kind: 'product', id: product, store }, label: `${product} in store ${store}` };
  if (product !== undefined) return { segment: { kind: 'product', id: product } };
  if (store !== undefined) return { segment: { kind: 'store', id: store } };
  return { segment: { kind: 'tenant' } };
}

// ---------------------------------------------------------------------------------------------
// explain

export interface WhyRequest {
  /** The period explained, `YYYY-MM-DD`; default the last 7 days (or week) of the history. */
  readonly from?: string;
  readonly to?: string;
  /** The period compared with; default the same length just before. */
  readonly compareFrom?: string;
  readonly compareTo?: string;
}

export interface ExplainRequest {
  readonly selection?: Selection;
  /** Add the model's global importance ranking. */
  readonly global?: boolean;
  /** Add "why did sales change" between two periods of the history. */
  readonly why?: WhyRequest;
}

export interface ExplainAnswer {
  /** The explained model: a global member (`gbm`), or `ensemble` for the ensemble itself. */
  model: string;
  link: 'identity' | 'log';
  /** An ensemble's member weights. */
  members?: Record<string, number>;
  h: number;
  series: number;
  /** Per forecast date, summed over the selected series: base + Σ drivers = prediction (units). */
  periods: { date: string; prediction: number; base: number; drivers: DriverUnits }[];
  /** Per selected series × forecast date. */
  rows: {
    series_id: string;
    date: string;
    prediction: number;
    base: number;
    drivers: DriverUnits;
    multipliers?: DriverUnits;
  }[];
  importance?: {
    /** `gain` or `mean-abs-contribution`; for an ensemble its learners' shares, weighted. */
    method: string;
    drivers: { driver: string; share: number }[];
    features: { name: string; driver: string; share: number }[];
  };
  change?: {
    /** The global model whose contributions to the past explain the change. */
    model: string;
    segment: Segment;
    period: { from: string; to: string };
    compared_with: { from: string; to: string };
    actual: [number, number];
    change: number;
    relative_change: number | null;
    drivers: { driver: string; units: number }[];
    unexplained: number;
    narrative: string;
  };
}

/** Drivers of the forecast of the selected series, and optionally global importance and "why". */
export function explainAnswer(data: ExplainData, request: ExplainRequest = {}): ExplainAnswer {
  const internals = internalsOf(data.forecaster);
  const model = scenarioOutputOf(internals, data);
  const learner = model === ENSEMBLE ? componentOf(internals) : model;
  const h = horizonOf(data);
  const selection = request.selection ?? {};
  const cond = selectionConditions(data.history, selection);
  const future = futureOf(data, h);
  const forecast = data.forecaster.predict(h, { history: data.history, future });
  const single =
    model === ENSEMBLE
      ? undefined
      : explainForecast(internals, model, forecast, { history: data.history, future });
  const weighted = single ? undefined : ensembleContributions(internals, data, forecast, future);
  const c: DriverContributions = single ?? weighted!.c;
  const nd = DRIVERS.length;
  const keep: number[] = [];
  for (let i = 0; i < c.prediction.length; i++) {
    const id = c.seriesIds[c.series[i]];
    if (selection.series !== undefined ? id === selection.series : seriesMatches(id, cond)) keep.push(i);
  }
  const all = driverRows(c);
  const byDate = new Map<number, { prediction: number; base: number; drivers: Float64Array }>();
  const members = new Set<number>();
  for (const i of keep) {
    members.add(c.series[i]);
    let e = byDate.get(c.dates[i]);
    if (!e) {
      e = { prediction: 0, base: 0, drivers: new Float64Array(nd) };
      byDate.set(c.dates[i], e);
    }
    e.prediction += c.prediction[i];
    e.base += c.base[i];
    for (let k = 0; k < nd; k++) e.drivers[k] += c.byDriver[i * nd + k];
  }
  const answer: ExplainAnswer = {
    model,
    link: c.link,
    ...(weighted ? { members: Object.fromEntries(weighted.members.map((m) => [m.name, m.weight])) } : {}),
    h,
    series: members.size,
    periods: [...byDate.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([d, e]) => ({
        date: formatDay(d),
        prediction: e.prediction,
        base: e.base,
        drivers: driverObject(e.drivers, 0),
      })),
    rows: keep.map((i) => {
      const r = all[i];
      return {
        series_id: r.seriesId,
        date: r.date,
        prediction: r.prediction,
        base: r.base,
        drivers: r.drivers,
        ...(r.multipliers ? { multipliers: r.multipliers } : {}),
      };
    }),
  };
  if (request.global) {
    answer.importance = single
      ? importanceOf(globalImportance(internals.models.get(model)!, single))
      : weightedImportance(internals, weighted!.members);
  }
  // The past is explained by a learner's contributions: a local member has none to give.
  if (request.why) answer.change = why(data, internals, learner, cond, request.why);
  return answer;
}

type Importance = NonNullable<ExplainAnswer['importance']>;

function importanceOf(g: GlobalImportance): Importance {
  return {
    method: g.method,
    drivers: g.drivers.map((d) => ({ driver: d.driver, share: d.share })),
    features: g.features.slice(0, 10).map((f) => ({ name: f.name, driver: f.driver, share: f.share })),
  };
}

/** An ensemble's importance: each learner's shares, weighted by its share of the learners' weight. */
function weightedImportance(internals: ForecasterInternals, members: readonly WeightedMember[]): Importance {
  const learners = members.filter((m) => m.contributions !== undefined);
  const total = learners.reduce((sum, m) => sum + m.weight, 0);
  const drivers = new Map<Driver, number>();
  const features = new Map<string, { driver: Driver; share: number }>();
  const methods = new Set<string>();
  for (const m of learners) {
    const g = globalImportance(internals.models.get(m.name)!, m.contributions);
    methods.add(g.method);
    const w = m.weight / total;
    for (const d of g.drivers) drivers.set(d.driver, (drivers.get(d.driver) ?? 0) + w * d.share);
    for (const f of g.features) {
      const e = features.get(f.name) ?? { driver: f.driver, share: 0 };
      e.share += w * f.share;
      features.set(f.name, e);
    }
  }
  return {
    method: [...methods].join('+'),
    drivers: [...drivers].map(([driver, share]) => ({ driver, share })).sort((a, b) => b.share - a.share),
    features: [...features]
      .map(([name, f]) => ({ name, driver: f.driver, share: f.share }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 10),
  };
}

interface WeightedMember {
  readonly name: string;
  readonly weight: number;
  /** A learner's contributions; none for a local model (ETS, naive). */
  readonly contributions?: Contributions;
}

/**
 * The contributions of an ensemble's forecast, row by row: Shapley values are linear, so the
 * drivers of a weighted sum of members are the weighted sum of their drivers. A member without a
 * learner forecasts from the series' own past, so its weighted forecast is base. Each member is
 * taken before its floor at 0, as its explanation is. Needs a weighted member with a learner.
 */
function ensembleContributions(
  internals: ForecasterInternals,
  data: ExplainData,
  forecast: ForecastResult,
  future: Panel | undefined,
): { c: DriverContributions; members: WeightedMember[] } {
  const members: WeightedMember[] = [...data.forecaster.weights]
    .filter(([, w]) => w > 0)
    .map(([name, weight]) => ({
      name,
      weight,
      contributions: internals.models.has(name)
        ? explainForecast(internals, name, forecast, { history: data.history, future })
        : undefined,
    }));
  const first = members.find((m) => m.contributions !== undefined)?.contributions;
  if (!first) throw noLearnerToExplain();
  const n = first.prediction.length;
  const nd = DRIVERS.length;
  const prediction = new Float64Array(n);
  const base = new Float64Array(n);
  const byDriver = new Float64Array(n * nd);
  const step = periodDays(data.history.freq);
  for (const { name, weight: w, contributions: c } of members) {
    if (!c) {
      const yhat = forecast.models[name].yhat;
      for (let i = 0; i < n; i++) {
        const s = first.series[i];
        const k = Math.round((first.dates[i] - forecast.dates[s * forecast.h]) / step);
        prediction[i] += w * yhat[s * forecast.h + k];
        base[i] += w * yhat[s * forecast.h + k];
      }
      continue;
    }
    // Every learner's rows are the same series × dates, in the same order.
    for (let i = 0; i < n; i++) {
      prediction[i] += w * c.prediction[i];
      base[i] += w * c.base[i];
      for (let d = 0; d < nd; d++) byDriver[i * nd + d] += w * c.byDriver[i * nd + d];
    }
  }
  const c: DriverContributions = {
    seriesIds: first.seriesIds,
    series: first.series,
    dates: first.dates,
    prediction,
    base,
    byDriver,
    link: 'identity',
    // In units, an identity link: no per-driver multipliers are read from the raw scale.
    rawByDriver: byDriver,
  };
  return { c, members };
}

function why(
  data: ExplainData,
  internals: ForecasterInternals,
  model: string,
  cond: ScenarioConditions,
  request: WhyRequest,
): ExplainAnswer['change'] {
  const step = periodDays(data.history.freq);
  const to = request.to !== undefined ? dayOf(request.to, 'to') : lastDate(data.history);
  const from = request.from !== undefined ? dayOf(request.from, 'from') : to - 7 + step;
  if (from > to)
    throw new SalescastError('INVALID_ARGUMENT', 'from must not be after to.', { field: 'from' });
  const compareTo = request.compareTo !== undefined ? dayOf(request.compareTo, 'compare_to') : from - step;
  const compareFrom =
    request.compareFrom !== undefined ? dayOf(request.compareFrom, 'compare_from') : compareTo - (to - from);
  if (compareFrom > compareTo) {
    throw new SalescastError('INVALID_ARGUMENT', 'compare_from must not be after compare_to.', {
      field: 'compare_from',
    });
  }
  const rows = observedRows(data.history, cond, Math.min(from, compareFrom), Math.max(to, compareTo));
  // Only the selected series are explained: their contributions are all the attribution reads.
  const past = explainRows(internals, model, data.history, rows);
  const { segment, label } = segmentOf(cond);
  const a: Period = { from: compareFrom, to: compareTo };
  const b: Period = { from, to };
  const att = attributeChange(segment, data.history, past, a, b);
  return {
    model,
    segment,
    period: { from: formatDay(from), to: formatDay(to) },
    compared_with: { from: formatDay(compareFrom), to: formatDay(compareTo) },
    actual: [att.actual[0], att.actual[1]],
    change: att.change,
    relative_change: num(att.relativeChange),
    drivers: att.drivers.map((d) => ({ driver: d.driver, units: d.units })),
    unexplained: att.unexplained,
    narrative: changeNarrative(att, { label }),
  };
}

// ---------------------------------------------------------------------------------------------
// what-if

export interface WhatIfRequest {
  readonly actions: readonly ScenarioAction[];
  readonly selection?: Selection;
}

interface Totals {
  baseline: number;
  scenario: number;
  delta: number;
  relative: number | null;
  baseline_interval: [number, number] | null;
  scenario_interval: [number, number] | null;
}

export interface WhatIfAnswer {
  model: string;
  h: number;
  actions: ScenarioAction[];
  changed_rows: number;
  /** Sums over the horizon and the selected series, with P-low–P-high interval sums. */
  total: Totals;
  series: (Totals & { series_id: string })[];
  /** Per forecast date, summed over the selected series. */
  periods: {
    date: string;
    baseline: number;
    scenario: number;
    baseline_interval: [number, number] | null;
    scenario_interval: [number, number] | null;
  }[];
}

/** Sums of yhat and of the outermost quantiles of `out` per date, over the selected series. */
function sumsByDate(result: ForecastResult, model: string, selected: Set<number>) {
  const out = result.models[model];
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  const lo = levels.length >= 2 ? out.quantiles.get(levels[0]) : undefined;
  const hi = levels.length >= 2 ? out.quantiles.get(levels[levels.length - 1]) : undefined;
  const sums = new Map<number, [number, number, number]>();
  for (const s of selected) {
    for (let k = 0; k < result.h; k++) {
      const i = s * result.h + k;
      const e = sums.get(result.dates[i]) ?? [0, 0, 0];
      e[0] += out.yhat[i];
      e[1] += lo ? lo[i] : Number.NaN;
      e[2] += hi ? hi[i] : Number.NaN;
      sums.set(result.dates[i], e);
    }
  }
  return sums;
}

const band = (lo: number, hi: number): [number, number] | null =>
  Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;

/** Baseline and scenario forecasts (the recursion re-run) of the selected series. */
export function whatIfAnswer(data: ExplainData, request: WhatIfRequest): WhatIfAnswer {
  if (request.actions.length === 0)
    throw new SalescastError('INVALID_ARGUMENT', 'a scenario needs at least one action.', {
      field: 'actions',
    });
  const internals = internalsOf(data.forecaster);
  const model = scenarioOutputOf(internals, data);
  const h = horizonOf(data);
  const cond = selectionConditions(data.history, request.selection ?? {});
  requireKnownDrivers(data, h, request.actions, cond);
  const future = futureOf(data, h);
  const result = runScenario(
    data.forecaster,
    { h, history: data.history, future },
    { actions: request.actions, conditions: cond },
  );
  const selected = new Set<number>();
  result.baseline.seriesIds.forEach((id, s) => {
    if (seriesMatches(id, cond)) selected.add(s);
  });
  const deltas = scenarioDeltas(result, model);
  const total: Totals = {
    baseline: 0,
    scenario: 0,
    delta: 0,
    relative: null,
    baseline_interval: [0, 0],
    scenario_interval: [0, 0],
  };
  const series = deltas
    .filter((_, s) => selected.has(s))
    .map((d) => {
      total.baseline += d.baseline;
      total.scenario += d.scenario;
      for (const [key, iv] of [
        ['baseline_interval', d.baselineInterval],
        ['scenario_interval', d.scenarioInterval],
      ] as const) {
        const t = total[key];
        if (!iv || !t) total[key] = null;
        else total[key] = [t[0] + iv[0], t[1] + iv[1]];
      }
      return {
        series_id: d.seriesId,
        baseline: d.baseline,
        scenario: d.scenario,
        delta: d.delta,
        relative: num(d.relative),
        baseline_interval: d.baselineInterval ? [...d.baselineInterval] : null,
        scenario_interval: d.scenarioInterval ? [...d.scenarioInterval] : null,
      } as Totals & { series_id: string };
    });
  total.delta = total.scenario - total.baseline;
  total.relative = total.baseline === 0 ? null : total.delta / total.baseline;
  const before = sumsByDate(result.baseline, model, selected);
  const after = sumsByDate(result.scenario, model, selected);
  return {
    model,
    h,
    actions: [...request.actions],
    changed_rows: result.changedRows,
    total,
    series,
    periods: [...before.keys()]
      .sort((a, b) => a - b)
      .map((d) => {
        const [b, bl, bh] = before.get(d)!;
        const [s, sl, sh] = after.get(d)!;
        return {
          date: formatDay(d),
          baseline: b,
          scenario: s,
          baseline_interval: band(bl, bh),
          scenario_interval: band(sl, sh),
        };
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// goal seeking

/** Drivers changed by a factor rather than by points or units. */
const MULTIPLIED = new Set(['price', 'paid_price', 'base_price']);

/** Default permitted ranges: discount points, price factor. */
const DEFAULT_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  discount_pct: [0, 40],
  price: [0.8, 1.2],
  paid_price: [0.8, 1.2],
  base_price: [0.8, 1.2],
};

export interface GoalSeekRequest {
  /**
   * Driver column or alias (`discount`, `price`); prices are multiplied, the rest get points added,
   * or, with no planned value to add to, are set to the smallest level that reaches the target.
   */
  readonly driver: string;
  readonly target: number;
  /** `week`: mean units per 7 days of the horizon; `horizon`: units over the whole horizon. */
  readonly per: 'week' | 'horizon';
  /** Permitted change: points (add), factor (multiply) or level (set); defaults for discount and price. */
  readonly min?: number;
  readonly max?: number;
  readonly selection?: Selection;
}

export interface GoalSeekAnswer {
  model: string;
  h: number;
  driver: string;
  op: 'add' | 'multiply' | 'set';
  bounds: [number, number];
  target: number;
  per: 'week' | 'horizon';
  reachable: boolean;
  /** The change found (points or factor): the smallest that reaches the target, or the best one. */
  change: number;
  achieved: number;
  baseline: number;
  evaluations: number;
  message: string;
}

const fmtUnits = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The smallest change of one driver, within its bounds, that reaches the target. */
export function goalSeekAnswer(data: ExplainData, request: GoalSeekRequest): GoalSeekAnswer {
  if (!(Number.isFinite(request.target) && request.target >= 0)) {
    throw new SalescastError('INVALID_ARGUMENT', `target must be a number ≥ 0; got ${request.target}.`, {
      field: 'target',
    });
  }
  const internals = internalsOf(data.forecaster);
  const model = scenarioOutputOf(internals, data);
  const h = horizonOf(data);
  const driver = driverColumn(request.driver);
  const cond = selectionConditions(data.history, request.selection ?? {});
  const trained = data.history.exog[driver];
  // With no plan to add points to (a discount nobody planned), the search sets the level instead,
  // as `discount=12` states it: the smallest level that reaches the target. Prices stay
  // multiplied, and refused without a plan, as a scenario's '*' is.
  const added = !MULTIPLIED.has(driver);
  const unplanned =
    trained !== undefined && !isCategorical(trained) && !plannedDriverKnown(data, h, driver, cond);
  const op = !added ? 'multiply' : unplanned ? 'set' : 'add';
  const defaults = DEFAULT_BOUNDS[driver];
  const lo = request.min ?? defaults?.[0];
  const hi = request.max ?? defaults?.[1];
  if (lo === undefined || hi === undefined) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `give the permitted range of '${driver}' (min and max ${op === 'add' ? 'points or units to add' : op === 'set' ? 'levels' : 'factors'}).`,
      { field: lo === undefined ? 'min' : 'max' },
    );
  }
  if (!(lo <= hi))
    throw new SalescastError('INVALID_ARGUMENT', `min ${lo} is above max ${hi}.`, { field: 'min' });
  requireKnownDrivers(data, h, [{ driver, op, value: lo }], cond);
  const future = futureOf(data, h);
  const r = goalSeek(
    data.forecaster,
    { h, history: data.history, future },
    { driver, op, bounds: [lo, hi], conditions: cond, target: request.target, per: request.per, model },
  );
  const per = request.per === 'week' ? ' a week' : ' over the horizon';
  // Three decimals: a tree model answers in steps, and the step may sit just past a round value.
  const x = r.x.toLocaleString('en-US', { maximumFractionDigits: 3 });
  const change =
    op === 'add'
      ? `${driver} ${r.x >= 0 ? '+' : ''}${x}`
      : op === 'set'
        ? `${driver} =${x}`
        : `${driver} ×${x}`;
  const message = r.reachable
    ? `Reachable: ${change} gives ${fmtUnits(r.achieved)} units${per} (target ${fmtUnits(request.target)}, now ${fmtUnits(r.baseline)}).`
    : `Not reachable within [${lo}, ${hi}]: the best is ${change} with ${fmtUnits(r.achieved)} units${per} (target ${fmtUnits(request.target)}, now ${fmtUnits(r.baseline)}).`;
  return {
    model,
    h,
    driver,
    op,
    bounds: [lo, hi],
    target: request.target,
    per: request.per,
    reachable: r.reachable,
    change: r.x,
    achieved: r.achieved,
    baseline: r.baseline,
    evaluations: r.evaluations,
    message,
  };
}

// ---------------------------------------------------------------------------------------------
// report

/** Branding as the tenants table stores it (`salescast report --brand FILE.json` takes the same). */
export interface BrandingJson {
  name?: string;
  logo_url?: string;
  colors?: { primary?: string };
}

export interface ReportRequest {
  readonly selection?: Selection;
  readonly branding: BrandingJson;
  /** Shown when the branding has no name. */
  readonly fallbackName: string;
  /** ISO timestamp printed in the footer. */
  readonly generatedAt: string;
}

const DEFAULT_PRIMARY = '#1f4e79';

/** The executive PDF of the selected store or product (or the whole tenant), one page, and its title. */
export async function reportPdf(
  data: ExplainData,
  request: ReportRequest,
): Promise<{ pdf: Buffer; title: string; segment: Segment; model: string }> {
  if (request.selection?.series !== undefined || request.selection?.category !== undefined) {
    throw new SalescastError('INVALID_ARGUMENT', 'a report is per tenant, store or product.', {
      field: request.selection.series !== undefined ? 'series' : 'category',
    });
  }
  if (request.selection?.store !== undefined && request.selection.product !== undefined) {
    throw new SalescastError('INVALID_ARGUMENT', 'a report is per store or per product, not both.', {
      field: 'product',
    });
  }
  const internals = internalsOf(data.forecaster);
  // The served forecast (an ensemble's own), with the past explained by a learner.
  const model = scenarioOutputOf(internals, data);
  const learner = model === ENSEMBLE ? componentOf(internals) : model;
  const h = horizonOf(data);
  const selection = request.selection ?? {};
  const cond = selectionConditions(data.history, selection);
  const { segment } = segmentOf(cond);
  const future = futureOf(data, h);
  const forecast = data.forecaster.predict(h, { history: data.history, future });
  const contributions =
    model === ENSEMBLE
      ? ensembleContributions(internals, data, forecast, future).c
      : explainForecast(internals, model, forecast, { history: data.history, future });
  const step = periodDays(data.history.freq);
  const end = lastDate(data.history);
  // The analysed window: about four months, enough for anomalies and drivers, cheap to explain.
  const past = explainRows(
    internals,
    learner,
    data.history,
    observedRows(data.history, cond, end - 120, end),
  );
  const analysis = analyzeSegment(segment, data.history, past, { forecast: { result: forecast, model } });
  const lastWeek: Period = { from: end - 7 + step, to: end };
  const weekBefore: Period = { from: lastWeek.from - 7, to: lastWeek.to - 7 };
  const change = attributeChange(segment, data.history, past, weekBefore, lastWeek);
  const section = segmentSection({
    segment,
    history: data.history,
    forecast,
    model,
    analysis,
    contributions,
    change,
  });
  const name = request.branding.name ?? request.fallbackName;
  const title = `Demand outlook: ${section.title}`;
  const pdf = await renderReport({
    title,
    subtitle: `next ${h} ${data.history.freq === 'week' ? 'weeks' : 'days'} from ${formatDay(end + step)}`,
    generatedAt: request.generatedAt,
    branding: {
      name,
      primaryColor: request.branding.colors?.primary ?? DEFAULT_PRIMARY,
      ...(request.branding.logo_url ? { logoUrl: request.branding.logo_url } : {}),
    },
    sections: [section],
  });
  return { pdf, title, segment, model };
}

// ---------------------------------------------------------------------------------------------
// future drivers sent as JSON rows

export type FutureRow = Readonly<Record<string, unknown>>;

const KEY_COLUMNS = new Set(['series_id', 'store_id', 'product_id', 'date']);

/**
 * A Panel of future drivers from JSON rows (`series_id` or `store_id` + `product_id`, `date`, and
 * driver columns of the history), with the history's frequency and categorical levels.
 */
export function futureFromRows(history: Panel, rows: readonly FutureRow[]): Panel {
  const seriesId: string[] = [];
  const date: number[] = [];
  const columns = new Map<string, unknown[]>();
  rows.forEach((row, i) => {
    const field = `future[${i}]`;
    const id =
      typeof row.series_id === 'string'
        ? row.series_id
        : typeof row.store_id === 'string' && typeof row.product_id === 'string'
          ? `${row.store_id}/${row.product_id}`
          : undefined;
    if (id === undefined) {
      throw new SalescastError('INVALID_ARGUMENT', `${field}: give series_id, or store_id and product_id.`, {
        field: `${field}.series_id`,
      });
    }
    seriesId.push(id);
    date.push(dayOf(String(row.date), `${field}.date`));
    for (const [key, value] of Object.entries(row)) {
      if (KEY_COLUMNS.has(key)) continue;
      if (!(key in history.exog)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `${field}: unknown driver '${key}' (drivers: ${Object.keys(history.exog).join(', ')}).`,
          { field: `${field}.${key}` },
        );
      }
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `${field}.${key} must be a number, text, true/false or null.`,
          {
            field: `${field}.${key}`,
          },
        );
      }
      let col = columns.get(key);
      if (!col) {
        col = new Array(rows.length).fill(null);
        columns.set(key, col);
      }
      col[i] = value;
    }
  });
  const exog: Record<string, Float64Array | (string | null)[]> = {};
  for (const [key, values] of columns) {
    if (isCategorical(history.exog[key])) {
      exog[key] = values.map((v) => (v === null ? null : String(v)));
      continue;
    }
    exog[key] = Float64Array.from(values, (v, i) => {
      if (v === null) return Number.NaN;
      if (typeof v === 'boolean') return v ? 1 : 0;
      const n = Number(v);
      if (typeof v === 'string' && (v.trim() === '' || !Number.isFinite(n))) {
        throw new SalescastError('INVALID_ARGUMENT', `future[${i}].${key}: '${v}' is not a number.`, {
          field: `future[${i}].${key}`,
        });
      }
      if (!isInputNumber(n)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `future[${i}].${key}: ${v} is beyond the largest driver value accepted (±${LARGEST_INPUT}).`,
          { field: `future[${i}].${key}` },
        );
      }
      return n;
    });
  }
  return buildPanel(
    { seriesId, date: Int32Array.from(date), exog },
    { freq: history.freq, levels: panelLevels(history), source: 'future' },
  );
}

// ---------------------------------------------------------------------------------------------
// the service the routes call

/** What every route request names: the registered model, its explained component, the horizon. */
export interface ModelRequest {
  /** Registered model name; default `default`. */
  readonly model?: string;
  /**
   * Model explained: `ensemble` or a global member (e.g. `gbm`); default the ensemble, else `gbm`,
   * else the first global model.
   */
  readonly component?: string;
  readonly horizon?: number;
  readonly future?: readonly FutureRow[];
}

/** Which production version answered, for lineage. */
export interface Lineage {
  production: { name: string; version: number; dataset_id: string | null };
}

export interface ExplainService {
  explain(p: Principal, req: ModelRequest & ExplainRequest): Promise<ExplainAnswer & Lineage>;
  whatIf(
    p: Principal,
    req: ModelRequest & { actions: readonly string[]; selection?: Selection },
  ): Promise<WhatIfAnswer & Lineage>;
  goalSeek(p: Principal, req: ModelRequest & GoalSeekRequest): Promise<GoalSeekAnswer & Lineage>;
  /** The PDF report; `model` is whose forecast it shows: `ensemble`, or a member. */
  report(
    p: Principal,
    req: ModelRequest & { selection?: Selection },
  ): Promise<{ pdf: Buffer; title: string; model: string } & Lineage>;
}

export interface ExplainServiceDeps {
  productionModels: ProductionModels;
  tenants: TenantService;
  usage: UsageService;
  now?: () => Date;
}

export function createExplainService(deps: ExplainServiceDeps): ExplainService {
  const now = deps.now ?? (() => new Date());

  /**
   * The tenant's production forecaster, its history and the request's future drivers, after the
   * request's selection is checked; then `forecasts` forecasts of every series are metered as
   * prediction rows (as the forecast route meters them) before any is computed, so a tenant over
   * its quota is refused before the work.
   */
  const load = async (
    p: Principal,
    req: ModelRequest & { selection?: Selection },
    forecasts: number,
  ): Promise<{ data: ExplainData; lineage: Lineage }> => {
    requirePermission(p, 'forecasts:view');
    const production = await deps.productionModels.get(p.tenantId, req.model ?? DEFAULT_MODEL_NAME);
    const history = production.forecaster.history;
    selectionConditions(history, req.selection ?? {});
    const data: ExplainData = {
      forecaster: production.forecaster,
      history,
      future: req.future ? futureFromRows(history, req.future) : undefined,
      h: req.horizon,
      component: req.component,
    };
    await deps.usage.add(p.tenantId, 'prediction_rows', forecasts * seriesCount(history) * horizonOf(data));
    const lineage = {
      production: { name: production.name, version: production.version, dataset_id: production.datasetId },
    };
    return { data, lineage };
  };

  return {
    async explain(p, req) {
      const { data, lineage } = await load(p, req, 1);
      return { ...explainAnswer(data, req), ...lineage };
    },
    async whatIf(p, req) {
      const actions = req.actions.map((a, i) => parseAction(a, `actions[${i}]`));
      const { data, lineage } = await load(p, req, 2);
      return { ...whatIfAnswer(data, { actions, selection: req.selection }), ...lineage };
    },
    async goalSeek(p, req) {
      // The baseline forecast is metered first; the search's further forecasts once it has run.
      const { data, lineage } = await load(p, req, 1);
      const answer = goalSeekAnswer(data, req);
      await deps.usage.add(
        p.tenantId,
        'prediction_rows',
        (answer.evaluations - 1) * seriesCount(data.history) * horizonOf(data),
      );
      return { ...answer, ...lineage };
    },
    async report(p, req) {
      const { data, lineage } = await load(p, req, 1);
      const tenant = await deps.tenants.current(p);
      const { pdf, title, model } = await reportPdf(data, {
        selection: req.selection,
        branding: tenant.branding,
        fallbackName: tenant.name,
        generatedAt: now().toISOString(),
      });
      return { pdf, title, model, ...lineage };
    },
  };
}
