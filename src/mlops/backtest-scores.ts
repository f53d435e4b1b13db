/**
 * Backtest metrics as the registry records them: per fold (one fold per cutoff) and in aggregate,
 * for the model a forecaster serves; and the re-scoring of a champion on a challenger's windows,
 * so that promotion compares numbers computed on the same rows.
 */
import { formatDay, parseIsoDay, periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { type Panel, panelThrough, seriesCount } from '../features/panel.js';
import { scoreBacktest } from '../forecast/backtest-report.js';
import {
  type CrossValidationResult,
  ENSEMBLE,
  type Forecaster,
  type ModelOutput,
} from '../forecast/forecaster.js';
import type { Metrics } from '../forecast/metrics.js';
import { defaultSeason } from '../forecast/presets.js';

/** Metrics as stored in JSON: NaN becomes null. */
export type StoredMetrics = { readonly [K in keyof Metrics]: Metrics[K] | null };

export interface FoldMetrics extends StoredMetrics {
  /** The fold's cutoff (last training day), YYYY-MM-DD. */
  readonly cutoff: string;
}

/** What a run records: the windows it was scored on and the metrics of the served model. */
export interface RunMetrics {
  /** The forecast the forecaster serves (the ensemble when it has one). */
  readonly model: string;
  readonly horizon: number;
  /** Cutoffs of the backtest windows, oldest first (YYYY-MM-DD). */
  readonly cutoffs: readonly string[];
  readonly aggregate: StoredMetrics;
  readonly folds: readonly FoldMetrics[];
  /** Aggregate metrics of every model the forecaster holds. */
  readonly models: Readonly<Record<string, StoredMetrics>>;
}

/** The model whose forecast a forecaster serves: its ensemble when it has one, else its first model. */
export function servedModel(forecaster: Forecaster): string {
  const names = forecaster.modelNames;
  return names.includes(ENSEMBLE) ? ENSEMBLE : names[0];
}

/** Metrics with NaN turned into null, as JSON will store them anyway (explicit for typed reads). */
function stored(m: Metrics): StoredMetrics {
  return JSON.parse(JSON.stringify(m)) as StoredMetrics;
}

/** The rows of `cv` whose cutoff is `cutoff`, as a backtest of their own. */
function fold(cv: CrossValidationResult, cutoff: number): CrossValidationResult {
  const rows: number[] = [];
  for (let i = 0; i < cv.cutoff.length; i++) if (cv.cutoff[i] === cutoff) rows.push(i);
  const pickF = (a: Float64Array) => Float64Array.from(rows, (i) => a[i]);
  const pickI = (a: Int32Array) => Int32Array.from(rows, (i) => a[i]);
  const models: Record<string, ModelOutput> = {};
  for (const [n, m] of Object.entries(cv.models)) {
    models[n] = {
      yhat: pickF(m.yhat),
      quantiles: new Map([...m.quantiles].map(([q, v]) => [q, pickF(v)])),
    };
  }
  return {
    seriesIds: cv.seriesIds,
    series: pickI(cv.series),
    cutoff: pickI(cv.cutoff),
    date: pickI(cv.date),
    step: pickI(cv.step),
    y: pickF(cv.y),
    level: pickF(cv.level),
    models,
    fits: cv.fits,
  };
}

/** Per-fold and aggregate metrics of a backtest of `panel` for horizon `h`; `model` is the served one. */
export function runMetrics(cv: CrossValidationResult, panel: Panel, h: number, model: string): RunMetrics {
  const season = defaultSeason(panel.freq);
  const all = scoreBacktest(cv, panel, season);
  if (!all[model]) throw new Error(`backtest has no model '${model}'`);
  const cutoffs = [...new Set(cv.cutoff)].sort((a, b) => a - b);
  return {
    model,
    horizon: h,
    cutoffs: cutoffs.map(formatDay),
    aggregate: stored(all[model].aggregate),
    folds: cutoffs.map((c) => ({
      cutoff: formatDay(c),
      ...stored(scoreBacktest(fold(cv, c), panel, season)[model].aggregate),
    })),
    models: Object.fromEntries(Object.entries(all).map(([n, s]) => [n, stored(s.aggregate)])),
  };
}

/**
 * Scores a fitted forecaster as it is, without refitting, on the windows of a run: for each cutoff
 * it forecasts `horizon` periods from the panel's history up to the cutoff (drivers from the
 * panel), and the rows scored are those a backtest scores (known targets inside the window). This
 * is how the deployed champion would have done on the challenger's windows; when those windows
 * overlap the champion's own training data the comparison favours the champion, never the
 * challenger.
 */
export function scoreOnWindows(
  forecaster: Forecaster,
  panel: Panel,
  windows: { cutoffs: readonly string[]; horizon: number },
): RunMetrics {
  const h = windows.horizon;
  const period = periodDays(panel.freq);
  const model = servedModel(forecaster);
  const rows: { series: number; cutoff: number; date: number; step: number; y: number }[] = [];
  const yhat: number[] = [];
  const quantiles = new Map<number, number[]>();
  const index = new Map(panel.seriesIds.map((id, s) => [id, s]));
  for (const text of windows.cutoffs) {
    const cutoff = parseIsoDay(text);
    if (cutoff === undefined) throw new SalescastError('INVALID_ARGUMENT', `bad cutoff '${text}'.`);
    const train = panelThrough(panel, cutoff);
    if (seriesCount(train) === 0) continue;
    const fc = forecaster.predict(h, { future: panel, history: train });
    const out = fc.models[model];
    for (let s = 0; s < fc.seriesIds.length; s++) {
      const ps = index.get(fc.seriesIds[s])!;
      const first = panel.dates[panel.offsets[ps]];
      for (let k = 0; k < h; k++) {
        const date = fc.dates[s * h + k];
        const r = panel.offsets[ps] + (date - first) / period;
        if (r >= panel.offsets[ps + 1] || !Number.isFinite(panel.y[r])) continue;
        rows.push({ series: ps, cutoff, date, step: k, y: panel.y[r] });
        yhat.push(out.yhat[s * h + k]);
        for (const [q, v] of out.quantiles) {
          if (!quantiles.has(q)) quantiles.set(q, []);
          quantiles.get(q)!.push(v[s * h + k]);
        }
      }
    }
  }
  const cv: CrossValidationResult = {
    seriesIds: panel.seriesIds,
    series: Int32Array.from(rows, (r) => r.series),
    cutoff: Int32Array.from(rows, (r) => r.cutoff),
    date: Int32Array.from(rows, (r) => r.date),
    step: Int32Array.from(rows, (r) => r.step),
    y: Float64Array.from(rows, (r) => r.y),
    level: new Float64Array(rows.length),
    models: {
      [model]: {
        yhat: Float64Array.from(yhat),
        quantiles: new Map([...quantiles].map(([q, v]) => [q, Float64Array.from(v)])),
      },
    },
    fits: 0,
  };
  return runMetrics(cv, panel, h, model);
}
