/**
 * What this process serves for each tenant's production model version: the forecaster, its online
 * feature state (the training history's tail plus every streamed record since, replayed from the
 * store) and its anomaly detector (its baselines shared in Redis when given a store). Entries are
 * keyed by tenant, model and version; a promotion or a rollback (`ProductionModels.onChange`)
 * drops the tenant's entries for that model, and the version a name resolves to is re-checked
 * every few seconds so promotions made by another process are picked up too.
 */
import { formatDay, parseIsoDay } from '../core/dates.js';
import { TtlLru } from '../core/ttl-lru.js';
import { buildFeatureSet } from '../features/feature-set.js';
import { type Panel, seriesCount } from '../features/panel.js';
import { ENSEMBLE, type Forecaster } from '../forecast/forecaster.js';
import {
  DEFAULT_MODEL_NAME,
  type ProductionModel,
  type ProductionModels,
} from '../mlops/production-models.js';
import type { StreamRecordRow } from '../store/repositories/stream-records.js';
import type { Store } from '../store/store.js';
import { AnomalyDetector, type AnomalyOptions, type BaselineStore } from './anomaly.js';
import { type DriverValue, lookbackOf, OnlineState, type StreamRecord } from './online-state.js';
import { type SeriesForecast, servedForecasts } from './served-forecasts.js';

export interface ServedModel {
  /** `tenant|name|version`: the prefix of every cache key of this version. */
  readonly key: string;
  readonly tenantId: string;
  readonly model: ProductionModel;
  readonly state: OnlineState;
  readonly detector: AnomalyDetector;
  /** The forecaster output served: the ensemble when there is one, else the first model. */
  readonly output: string;
  /**
   * True when a feature reads other series (target encodings across series): such a forecast is
   * computed on the whole panel, since one series' window alone would change those features.
   */
  readonly panelWide: boolean;
}

export type FutureDrivers = ReadonlyMap<string, ReadonlyMap<number, Readonly<Record<string, DriverValue>>>>;

export interface ServingOptions {
  readonly anomaly?: AnomalyOptions;
  /** Where the detectors' baselines are shared between processes (Redis); default each its own. */
  readonly baselines?: BaselineStore;
  /** How long a name → production version resolution is trusted; default 5 s. */
  readonly resolveTtlMs?: number;
  /**
   * Served versions kept in memory, least recently used dropped first; default 64. A dropped one
   * is loaded again on its next request, replaying its stored stream records (its anomaly
   * baselines start over unless they are shared).
   */
  readonly maxEntries?: number;
}

export function servingKey(tenantId: string, name: string): string {
  return `${tenantId}|${name}|`;
}

/**
 * The cache of served model versions: a least-recently-used map bounded by `maxEntries`, with
 * invalidation on promotion and rollback.
 */
export class ServingRegistry {
  private readonly entries: TtlLru<Promise<ServedModel>>;
  private readonly resolved = new Map<string, { key: string; at: number }>();
  private readonly listeners = new Set<(prefix: string) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly models: ProductionModels,
    private readonly store: Store,
    private readonly options: ServingOptions = {},
  ) {
    // No time limit: a version stays served until it is evicted or invalidated.
    this.entries = new TtlLru(options.maxEntries ?? 64, Number.POSITIVE_INFINITY);
    this.unsubscribe = models.onChange((change) => this.invalidate(change.tenantId, change.name));
  }

  /** Calls `listener` with the key prefix of every invalidated model (caches drop those entries). */
  onInvalidate(listener: (prefix: string) => void): void {
    this.listeners.add(listener);
  }

  invalidate(tenantId: string, name: string): void {
    const prefix = servingKey(tenantId, name);
    this.resolved.delete(prefix);
    this.entries.deletePrefix(prefix);
    for (const l of this.listeners) l(prefix);
  }

  /** The served production version of `name` for the tenant, loading it on first use. */
  async get(tenantId: string, name = DEFAULT_MODEL_NAME): Promise<ServedModel> {
    const prefix = servingKey(tenantId, name);
    const known = this.resolved.get(prefix);
    if (known && Date.now() - known.at < (this.options.resolveTtlMs ?? 5000)) {
      const entry = this.entries.get(known.key);
      if (entry) return entry;
    }
    const model = await this.models.get(tenantId, name);
    const key = `${prefix}${model.version}`;
    if (known && known.key !== key) this.invalidate(tenantId, name);
    this.resolved.set(prefix, { key, at: Date.now() });
    const entry = this.entries.get(key);
    if (entry) return entry;
    const loading = this.load(key, model);
    this.entries.set(key, loading);
    loading.catch(() => this.entries.deleteWhere((e) => e === loading));
    return loading;
  }

  /** Versions loaded or loading. */
  get size(): number {
    return this.entries.size;
  }

  /** The served version of `key` (`tenant|name|version`) if it is loaded or loading; never loads it. */
  loadedVersion(key: string): Promise<ServedModel> | undefined {
    return this.entries.peek(key);
  }

  /**
   * Every loaded version of the tenant's models (streamed records update all of them), or of every
   * tenant's without `tenantId`.
   */
  async loaded(tenantId?: string): Promise<ServedModel[]> {
    const mine = this.entries.valuesWithPrefix(tenantId === undefined ? '' : `${tenantId}|`);
    // A version that failed to load is retried on its next request; it has no state to update.
    const settled = await Promise.allSettled(mine);
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
  }

  private async load(key: string, model: ProductionModel): Promise<ServedModel> {
    const { forecaster } = model;
    const history = forecaster.history;
    const panelWide = readsOtherSeries(forecaster, history);
    // A feature prepared over the whole panel (a target encoding: the expanding mean of a category's
    // targets) reads every earlier row: the state sums the rows leaving its window for it.
    const state = new OnlineState(
      history,
      lookbackOf(forecaster.options, history.freq, forecaster.horizon),
      panelWide ? (rows) => forecaster.transformedTarget(rows) : undefined,
    );
    // Replays what was streamed since the training data, so a newly promoted version starts from
    // the same live view as the one it replaces.
    const rows = await recordsStreamedAfter(this.store, model.tenantId, history);
    for (const row of rows) if (state.has(row.series_id)) state.apply(streamRecordOf(row));
    const names = forecaster.modelNames;
    return {
      key,
      tenantId: model.tenantId,
      model,
      state,
      detector: new AnomalyDetector(
        history.freq,
        this.options.anomaly,
        this.options.baselines && { store: this.options.baselines, modelKey: key },
      ),
      output: names.includes(ENSEMBLE) ? ENSEMBLE : names[0],
      panelWide,
    };
  }
}

function readsOtherSeries(forecaster: Forecaster, history: Panel): boolean {
  const o = forecaster.options;
  const defs = buildFeatureSet(history, {
    lags: o.lags,
    lagTransforms: o.lagTransforms,
    dateFeatures: o.dateFeatures,
    exog: o.exog,
    seriesId: o.seriesId,
    targetEncodings: o.targetEncodings,
  });
  return defs.some((d) => d.prepare !== undefined);
}

/**
 * Forecasts `h` periods of `seriesIds` from the served state: the per-series fast path (only
 * those series' windows go through the forecaster's feature code) unless the model reads other
 * series, in which case the whole panel is forecast and the requested series are picked out.
 */
export function forecastSeries(
  served: ServedModel,
  seriesIds: readonly string[],
  h: number,
  future?: FutureDrivers,
): SeriesForecast[] {
  const { state, model } = served;
  const ids = served.panelWide ? state.seriesIds : seriesIds;
  const result = model.forecaster.predict(h, {
    history: state.panelOf(ids),
    future: state.futureOf(ids, h, future),
  });
  return servedForecasts(result, served.output, seriesIds);
}

/**
 * The tenant's stream records dated after the earliest end of a series of `panel`, oldest date
 * first: whatever was streamed since some series' data ends (none for an empty panel).
 */
export async function recordsStreamedAfter(
  store: Store,
  tenantId: string,
  panel: Panel,
): Promise<StreamRecordRow[]> {
  if (seriesCount(panel) === 0) return [];
  let earliest = Number.POSITIVE_INFINITY;
  for (let s = 0; s < seriesCount(panel); s++)
    earliest = Math.min(earliest, panel.dates[panel.offsets[s + 1] - 1]);
  return store.withTenant(tenantId, (r) => r.streamRecords.after(formatDay(earliest)));
}

/** A stored stream record as the online state applies it. */
export function streamRecordOf(row: StreamRecordRow): StreamRecord {
  return {
    seriesId: row.series_id,
    date: parseIsoDay(row.date)!,
    y: row.y,
    drivers: JSON.parse(row.drivers) as Record<string, DriverValue>,
  };
}
