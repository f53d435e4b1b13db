/**
 * Real-time forecasts from the tenant's production model: one series (answered from the prediction
 * cache when the same inputs were forecast recently) or a batch of series (produced in chunks, so
 * a route can stream them). Every forecast row served counts as a prediction row against the
 * tenant's quota, cached or not; each new one-step forecast of a series is judged by the anomaly
 * detector of the prediction stream.
 */
import { createHash } from 'node:crypto';
import { formatDay, parseIsoDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { type Principal, requirePermission } from '../platform/principal.js';
import type { UsageService } from '../platform/usage-service.js';
import type { AlertService, RaisedFinding } from './alert-service.js';
import type { ExplainAnswer } from './explain-service.js';
import type { ForecastChunk, ForecastWorkers } from './forecast-workers.js';
import type { DriverValue } from './online-state.js';
import { type CacheStats, PredictionCache, type PredictionCacheOptions } from './prediction-cache.js';
import {
  localStatsBook,
  type RollingStatsBook,
  type StatsRecorder,
  type WindowStats,
} from './rolling-stats.js';
import { firstPeriods, ndjsonLines, type SeriesForecast } from './served-forecasts.js';
import { type FutureDrivers, forecastSeries, type ServedModel, type ServingRegistry } from './serving.js';

/**
 * Forecast rows above which a batch is not streamed: it is refused, or run as an asynchronous job
 * (`batch-job.ts`) when the caller asks for one.
 */
export const MAX_BATCH_ROWS = 2_000_000;

/** Series forecast per chunk of a batch: large enough to amortise the model, small enough to stream. */
const BATCH_CHUNK = 512;

/**
 * Rows from which a batch goes to the worker threads: below it, sending the state and the model's
 * first copy costs more than the threads save.
 */
export const PARALLEL_BATCH_ROWS = 1_000;

export interface ForecastInput {
  readonly seriesId: string;
  readonly h: number;
  readonly model?: string;
  /** Known drivers of future dates (overriding streamed events). */
  readonly future?: readonly { date: string; drivers: Readonly<Record<string, DriverValue>> }[];
  /** Add the drivers of each forecast period, as `POST /v1/explain` computes them. */
  readonly explain?: boolean;
}

export interface ModelRef {
  name: string;
  version: number;
}

/**
 * The drivers of the served forecast, per period: base + Σ drivers = prediction (units), the
 * forecast's `yhat` before the floor at 0, from `explainAnswer`. An ensemble (`model: "ensemble"`)
 * is explained by its members' explanations weighted (`members`), each member's prediction taken
 * before its own floor.
 */
export interface ForecastExplanation {
  model: string;
  link: 'identity' | 'log';
  /** An ensemble's member weights. */
  members?: Record<string, number>;
  periods: ExplainAnswer['periods'];
}

export interface ForecastResponse extends SeriesForecast {
  model: ModelRef;
  h: number;
  /** Where the answer came from: a cache level, or 'miss' when it was computed. */
  cache: 'l1' | 'l2' | 'miss';
  explanation?: ForecastExplanation;
}

export interface BatchInput {
  /** Default: every series of the model. */
  readonly seriesIds?: readonly string[];
  readonly h: number;
  readonly model?: string;
}

export interface BatchForecast {
  model: ModelRef;
  h: number;
  series: number;
  rows: number;
  /** The forecasts as NDJSON lines (one per series), a chunk of series at a time. */
  chunks: AsyncIterable<string>;
  /** Worker threads that forecast it; 0 when it runs on the calling thread. */
  threads: number;
}

export interface ForecastService {
  forecast(p: Principal, input: ForecastInput): Promise<ForecastResponse>;
  batch(p: Principal, input: BatchInput): Promise<BatchForecast>;
  /** Rolling statistics of the tenant's recent predictions and errors over the last `seconds`. */
  stats(p: Principal, seconds: number): Promise<WindowStats>;
  /** Records into the tenant's rolling statistics (the stream service records errors into them). */
  statsOf(tenantId: string): StatsRecorder;
  /**
   * Judges a new one-step forecast of a series, raising an alert when it is a spike or drop.
   * `inSession`: the caller has refreshed the detector's baselines of the series and flushes them.
   */
  judgeForecast(
    served: ServedModel,
    seriesId: string,
    forecast: SeriesForecast,
    inSession?: boolean,
  ): Promise<void>;
  /**
   * Judges the first periods of a batch forecast by another registry (a batch job's) with this
   * service's detectors, when this service has that version (`tenant|name|version`) loaded;
   * otherwise does nothing (loading it would replay its records only to judge).
   */
  judgeBatch(modelKey: string, seriesIds: readonly string[], firsts: Float64Array): Promise<void>;
  readonly cacheStats: CacheStats;
}

export interface ForecastServiceDeps {
  serving: ServingRegistry;
  usage: UsageService;
  alerts: AlertService;
  cache?: PredictionCacheOptions;
  /** Where rolling statistics are kept; default this process's memory (`localStatsBook`). */
  stats?: RollingStatsBook;
  /** Default MAX_BATCH_ROWS. */
  batchMaxRows?: number;
  /** Threads that forecast a large batch's chunks in parallel; without them, batches run here. */
  workers?: ForecastWorkers;
  /** Told of an alert that could not be raised; the forecast is answered all the same. */
  onError?: (message: string, error: unknown) => void;
}

type CachedForecast = SeriesForecast & { model: ModelRef; h: number };

/**
 * The answer to one forecast request, built field by field in one order: an object spread here
 * (`{ ...cached, cache, ...extra }`) left V8 a dictionary-mode object, and building it plus reading
 * it back in the route cost about 4 µs of a cached forecast's CPU.
 */
function answerOf(
  value: CachedForecast,
  cache: ForecastResponse['cache'],
  explanation: ForecastExplanation | undefined,
): ForecastResponse {
  const answer: ForecastResponse = {
    series_id: value.series_id,
    forecasts: value.forecasts,
    model: value.model,
    h: value.h,
    cache,
  };
  if (explanation) answer.explanation = explanation;
  return answer;
}

/**
 * Judges the first forecast periods (`firstPeriods`' layout) of the series at `indexes` of
 * `seriesIds` with the served version's prediction-stream detector, and returns the findings as
 * alerts to raise. Unless `inSession`, the detector's shared baselines of those series are read
 * first and written after; when that fails (`onError` is told), judging goes on with this
 * process's copy, and without `onError` the failure is thrown.
 */
export async function judgeFirstPeriods(
  served: ServedModel,
  seriesIds: readonly string[],
  firsts: Float64Array,
  indexes: readonly number[],
  options: { inSession?: boolean; onError?: (message: string, error: unknown) => void } = {},
): Promise<RaisedFinding[]> {
  const { detector, state } = served;
  const { onError } = options;
  const tolerate = (what: string) => (e: unknown) => {
    if (!onError) throw e;
    onError(`${what} the anomaly baselines of forecasts failed`, e);
  };
  if (!options.inSession) await detector.refresh(indexes.map((i) => seriesIds[i])).catch(tolerate('reading'));
  const model = `${served.model.name}@${served.model.version}`;
  const findings: RaisedFinding[] = [];
  for (const i of indexes) {
    const seriesId = seriesIds[i];
    const [date, yhat, spread] = [firsts[3 * i], firsts[3 * i + 1], firsts[3 * i + 2]];
    // The date and value identify the forecast: another process judging the same state skips it.
    const finding = detector.observeForecast(
      seriesId,
      yhat,
      state.level(seriesId),
      spread,
      `${date}:${yhat}`,
    );
    if (finding) findings.push({ ...finding, seriesId, date: formatDay(date), model });
  }
  if (!options.inSession) await detector.flush().catch(tolerate('writing'));
  return findings;
}

export function createForecastService(deps: ForecastServiceDeps): ForecastService {
  const { serving, usage, alerts } = deps;
  const cache = new PredictionCache<CachedForecast>(deps.cache);
  serving.onInvalidate((prefix) => cache.invalidate(prefix));
  const book = deps.stats ?? localStatsBook();
  const statsOf = (tenantId: string) => book.of(tenantId);
  /** The state version each series' prediction stream was last judged at, per served version. */
  const judged = new WeakMap<ServedModel, Map<string, number>>();

  /**
   * Judges the first forecast periods of `seriesIds` (`firstPeriods`' layout), once per state of
   * each series: a forecast asked again from the same state is not a new prediction. `versions`
   * are the states the forecasts were made from, when that was not now (a thread's chunk).
   */
  const judgeFirsts = async (
    served: ServedModel,
    seriesIds: readonly string[],
    firsts: Float64Array,
    versions?: readonly number[],
    inSession = false,
  ) => {
    let seen = judged.get(served);
    if (!seen) {
      seen = new Map();
      judged.set(served, seen);
    }
    const fresh: number[] = [];
    for (let i = 0; i < seriesIds.length; i++) {
      const version = versions?.[i] ?? served.state.versionOf(seriesIds[i]);
      if (seen.get(seriesIds[i]) === version) continue;
      seen.set(seriesIds[i], version);
      fresh.push(i);
    }
    if (fresh.length === 0) return;
    const findings = await judgeFirstPeriods(served, seriesIds, firsts, fresh, {
      inSession,
      onError: deps.onError ?? (() => undefined),
    });
    for (const f of findings) {
      statsOf(served.tenantId).anomaly();
      // A forecast, or a streamed batch half written, is not failed for want of its alert.
      try {
        await alerts.raise(served.tenantId, f);
      } catch (e) {
        deps.onError?.(`raising a ${f.kind} alert for series '${f.seriesId}' failed`, e);
      }
    }
  };
  const judgeForecast = (
    served: ServedModel,
    seriesId: string,
    forecast: SeriesForecast,
    inSession = false,
  ) => judgeFirsts(served, [seriesId], firstPeriods([forecast]), undefined, inSession);

  return {
    async forecast(p, input) {
      requirePermission(p, 'forecasts:view');
      const served = await serving.get(p.tenantId, input.model);
      checkHorizon(served, input.h);
      const future = futureOf(served, input);
      const digest = served.state.digest(input.seriesId);
      const futureKey = input.future?.length
        ? createHash('sha1').update(JSON.stringify(input.future)).digest('base64url')
        : '';
      const key = `${served.key}|${input.seriesId}|${input.h}|${digest}|${futureKey}`;
      // Explained first, so a model that cannot be explained is refused before it is metered.
      const explanation = input.explain ? await explainOne(served, input, future) : undefined;
      await usage.add(p.tenantId, 'prediction_rows', input.h);
      statsOf(p.tenantId).prediction(input.h);
      const hit = await cache.get(key);
      if (hit) return answerOf(hit.value, hit.level, explanation);
      const [one] = forecastSeries(served, [input.seriesId], input.h, future);
      const value: CachedForecast = {
        series_id: one.series_id,
        forecasts: one.forecasts,
        model: { name: served.model.name, version: served.model.version },
        h: input.h,
      };
      await cache.set(key, value);
      await judgeForecast(served, input.seriesId, one);
      return answerOf(value, 'miss', explanation);
    },

    async batch(p, input) {
      requirePermission(p, 'forecasts:view');
      const served = await serving.get(p.tenantId, input.model);
      const batch = planBatch(served, input, deps.workers, (ids, firsts, versions) =>
        judgeFirsts(served, ids, firsts, versions),
      );
      const limit = deps.batchMaxRows ?? MAX_BATCH_ROWS;
      if (batch.rows > limit) {
        throw new SalescastError(
          'PAYLOAD_TOO_LARGE',
          `A streamed batch forecast may have at most ${limit} rows (series × h); this one has ${batch.rows}. Send "async": true to run it as a job, or split it into smaller batches.`,
          { field: 'series_ids' },
        );
      }
      await usage.add(p.tenantId, 'prediction_rows', batch.rows);
      statsOf(p.tenantId).prediction(batch.rows);
      return batch;
    },

    async stats(p, seconds) {
      requirePermission(p, 'forecasts:view');
      return book.summary(p.tenantId, seconds);
    },
    statsOf,
    judgeForecast,
    async judgeBatch(modelKey, seriesIds, firsts) {
      const loaded = serving.loadedVersion(modelKey);
      if (loaded) await judgeFirsts(await loaded, seriesIds, firsts);
    },
    cacheStats: cache.stats,
  };
}

function checkHorizon(served: ServedModel, h: number): void {
  const max = served.model.forecaster.horizon;
  if (!(Number.isInteger(h) && h >= 1 && h <= max)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `h must be an integer from 1 to ${max} (the horizon model version ${served.model.version} was trained for); got ${h}.`,
      { field: 'h' },
    );
  }
}

/**
 * Checks a batch against the served version (horizon, known series) and prepares its forecasts, a
 * chunk of series at a time, without metering them: the streamed route meters up front, the batch
 * job when it runs. With worker threads, a batch of at least PARALLEL_BATCH_ROWS rows is cut into
 * chunks that the threads forecast side by side, a few chunks ahead of the one being written.
 */
export function planBatch(
  served: ServedModel,
  input: BatchInput,
  workers?: ForecastWorkers,
  judge?: (seriesIds: readonly string[], firsts: Float64Array, versions?: readonly number[]) => Promise<void>,
): BatchForecast {
  checkHorizon(served, input.h);
  const ids = input.seriesIds ? [...new Set(input.seriesIds)] : served.state.seriesIds;
  for (const id of ids) served.state.lastDate(id);
  const rows = ids.length * input.h;
  const chunkOf = async (chunkIds: readonly string[]) => {
    const forecasts = forecastSeries(served, chunkIds, input.h);
    await judge?.(chunkIds, firstPeriods(forecasts));
    return ndjsonLines(forecasts);
  };
  const inProcess = async function* () {
    if (served.panelWide) {
      yield await chunkOf(ids);
      return;
    }
    for (let i = 0; i < ids.length; i += BATCH_CHUNK) {
      // Lets other requests (and a job's lease heartbeats) run between chunks of a long batch.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      yield await chunkOf(ids.slice(i, i + BATCH_CHUNK));
    }
  };
  const onWorkers = async function* (pool: ForecastWorkers) {
    // Chunks of at most BATCH_CHUNK series, as many for every thread, so that none idles at the
    // end; at least two each, so that writing out one chunk overlaps forecasting the next.
    const rounds = Math.max(2, Math.ceil(ids.length / (pool.size * BATCH_CHUNK)));
    const size = Math.ceil(ids.length / (pool.size * rounds));
    const ahead: { ids: readonly string[]; versions: number[]; chunk: Promise<ForecastChunk> }[] = [];
    let next = 0;
    const launch = () => {
      const chunkIds = ids.slice(next, next + size);
      const chunk = pool.forecast(served, chunkIds, input.h);
      // A reader that stops early leaves chunks nobody awaits; their failures are not its errors.
      chunk.catch(() => {});
      // The states the chunk is forecast from: a record streamed before it is judged must not
      // make this forecast pass for that of the newer state.
      const versions = chunkIds.map((id) => served.state.versionOf(id));
      ahead.push({ ids: chunkIds, versions, chunk });
      next += size;
    };
    while (next < ids.length && ahead.length < 2 * pool.size) launch();
    while (ahead.length > 0) {
      const { ids: chunkIds, versions, chunk } = ahead.shift()!;
      const { text, firsts } = await chunk;
      if (next < ids.length) launch();
      await judge?.(chunkIds, firsts, versions);
      yield text;
    }
  };
  const parallel = workers?.available && !served.panelWide && rows >= PARALLEL_BATCH_ROWS;
  return {
    model: { name: served.model.name, version: served.model.version },
    h: input.h,
    series: ids.length,
    rows,
    chunks: parallel ? onWorkers(workers) : inProcess(),
    threads: parallel ? workers.size : 0,
  };
}

/** A batch as NDJSON text: the header line `{"model","h","series","rows"}`, then one line per series. */
export async function* batchNdjson(batch: BatchForecast): AsyncGenerator<string> {
  const header = { model: batch.model, h: batch.h, series: batch.series, rows: batch.rows };
  yield `${JSON.stringify(header)}\n`;
  yield* batch.chunks;
}

/**
 * The drivers of one series' forecast from the served state, by the explanation service's own
 * `explainAnswer` (loaded on first use, so the default path never loads it). A panel-wide model
 * is explained on the whole live panel, as it is forecast.
 */
async function explainOne(
  served: ServedModel,
  input: ForecastInput,
  future: FutureDrivers | undefined,
): Promise<ForecastExplanation> {
  const { explainAnswer } = await import('./explain-service.js');
  const ids = served.panelWide ? served.state.seriesIds : [input.seriesId];
  let answer: ExplainAnswer;
  try {
    // With no component named, the served output is explained: an ensemble's own forecast.
    answer = explainAnswer(
      {
        forecaster: served.model.forecaster,
        history: served.state.panelOf(ids),
        future: served.state.futureOf(ids, input.h, future),
        h: input.h,
      },
      { selection: { series: input.seriesId } },
    );
  } catch (e) {
    // No component is requested here, so a refusal naming 'model' means the forecaster has no
    // global model (naive, ETS): it is the request's `explain` that cannot be honoured.
    if (e instanceof SalescastError && e.code === 'INVALID_ARGUMENT' && e.location.field === 'model') {
      throw new SalescastError('INVALID_ARGUMENT', `explain: ${e.message}`, { field: 'explain' });
    }
    throw e;
  }
  const { model, link, members, periods } = answer;
  return members ? { model, link, members, periods } : { model, link, periods };
}

/** The request's future drivers keyed by series and day, checked against the forecast dates. */
function futureOf(served: ServedModel, input: ForecastInput): FutureDrivers | undefined {
  if (!input.future?.length) return undefined;
  const last = served.state.lastDate(input.seriesId);
  const byDay = new Map<number, Readonly<Record<string, DriverValue>>>();
  input.future.forEach((row, i) => {
    const day = parseIsoDay(row.date);
    if (day === undefined || day <= last) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `future[${i}].date must be a date (YYYY-MM-DD) after the series' last period ${formatDay(last)}; got '${row.date}'.`,
        { field: `future[${i}].date` },
      );
    }
    if (byDay.has(day)) {
      throw new SalescastError('INVALID_ARGUMENT', `future[${i}].date repeats ${row.date}.`, {
        field: `future[${i}].date`,
      });
    }
    served.state.checkDrivers(row.drivers, `future[${i}].drivers`);
    byDay.set(day, row.drivers);
  });
  return new Map([[input.seriesId, byDay]]);
}
