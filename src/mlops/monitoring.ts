/**
 * Monitoring of a production model against newly arrived data (a dataset and the actuals streamed
 * after it, `withStreamedActuals`): the realized error of
 * the production forecasts for the periods after the model's training data, compared with the
 * error its backtest led us to expect (decay), and per-feature drift of the new rows against the
 * training rows. Each check stores a report per tenant × model × version; a decay or drift finding
 * enqueues a retrain when the tenant has a schedule with that trigger (once per finding: the job's
 * idempotency key names the model version and dataset).
 */
import { randomUUID } from 'node:crypto';
import { periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { Panel } from '../features/panel.js';
import type { Forecaster } from '../forecast/forecaster.js';
import { withStreamedActuals } from '../realtime/streamed-actuals.js';
import type { MonitoringReportRow } from '../store/repositories/monitoring.js';
import type { Store } from '../store/store.js';
import { actorLabel, authorizeActor } from './actors.js';
import { servedModel } from './backtest-scores.js';
import { type DecayResult, detectDecay, periodErrors } from './decay.js';
import {
  DEFAULT_PSI_BINS,
  driftReport,
  type FeatureDrift,
  panelDriftFeatures,
  worstStatus,
} from './drift.js';
import type { JobService } from './jobs.js';
import { DEFAULT_MODEL_NAME, type ProductionModels } from './production-models.js';
import type { Actor } from './registry-service.js';
import type { MlopsSettingsService } from './settings.js';

export interface MonitoringReport {
  id: string;
  model: string;
  version: number;
  dataset_id: string;
  created_at: string;
  drift_status: 'ok' | 'warn' | 'drift';
  drift: FeatureDrift[];
  decay: DecayResult;
  /** Rows compared (series × periods with an actual after the training data). */
  rows: number;
  /** Streamed actuals added after the dataset's end (`POST /v1/stream`); 0 when none. */
  streamed_actuals: number;
  /** The retrain job this report started, if a trigger fired. */
  triggered_job_id: string | null;
}

export interface MonitoringDeps {
  store: Store;
  productionModels: ProductionModels;
  /** The ingested panel of a tenant's dataset, with the levels and frequency of `like`. */
  loadPanel(tenantId: string, datasetId: string, like: Panel): Promise<Panel>;
  /** The backtest WAPE of a registered version (what its metrics led us to expect). */
  expectedWape(tenantId: string, model: string, version: number): Promise<number | null>;
  jobs: JobService;
  settings: MlopsSettingsService;
  now?: () => Date;
}

export interface MonitoringService {
  /**
   * Checks the production model on a dataset and the actuals streamed after it (no permission
   * check: jobs and services call it); null when they hold no period after the model's data.
   */
  run(
    tenantId: string,
    request: { datasetId: string; model?: string; actor: string },
  ): Promise<MonitoringReport | null>;
  /**
   * `run` for a caller with `models:train` (a check may start a retrain); INVALID_DATA when there
   * is nothing after the model's data to check.
   */
  check(p: Actor, request: { datasetId: string; model?: string }): Promise<MonitoringReport>;
  list(p: Actor, filter: { model?: string; version?: number; limit: number }): Promise<MonitoringReport[]>;
  get(p: Actor, id: string): Promise<MonitoringReport>;
}

function toReport(r: MonitoringReportRow): MonitoringReport {
  const body = JSON.parse(r.report) as Pick<MonitoringReport, 'drift' | 'decay' | 'rows'> & {
    streamed_actuals?: number;
  };
  return {
    id: r.id,
    model: r.model_name,
    version: Number(r.model_version),
    dataset_id: r.dataset_id,
    created_at: r.created_at,
    drift_status: r.drift_status as MonitoringReport['drift_status'],
    drift: body.drift,
    decay: body.decay,
    rows: body.rows,
    // Reports stored before streamed actuals were monitored had none.
    streamed_actuals: body.streamed_actuals ?? 0,
    triggered_job_id: r.triggered_job_id,
  };
}

/**
 * Forecasts from the end of the model's history over the rows `current` has after it, and pairs
 * each forecast with its actual: flat arrays of date, actual and forecast. Undefined when `current`
 * has no period after the model's history (nothing ingested or streamed since it was trained).
 */
export function realizedForecasts(
  forecaster: Forecaster,
  current: Panel,
): { date: Int32Array; y: Float64Array; yhat: Float64Array; firstNewDay: number } | undefined {
  const history = forecaster.history;
  const step = periodDays(history.freq);
  let lastHistory = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < history.dates.length; r++) lastHistory = Math.max(lastHistory, history.dates[r]);
  let lastCurrent = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < current.dates.length; r++) lastCurrent = Math.max(lastCurrent, current.dates[r]);
  const available = Math.floor((lastCurrent - lastHistory) / step);
  const h = Math.min(available, forecaster.horizon);
  if (h < 1) return undefined;
  const forecast = forecaster.predict(h, { future: current });
  const yhatAll = forecast.models[servedModel(forecaster)].yhat;
  const actual = new Map<string, number>();
  for (let s = 0; s < current.seriesIds.length; s++) {
    for (let r = current.offsets[s]; r < current.offsets[s + 1]; r++) {
      if (current.dates[r] > lastHistory)
        actual.set(`${current.seriesIds[s]}\u0000${current.dates[r]}`, current.y[r]);
    }
  }
  const date: number[] = [];
  const y: number[] = [];
  const yhat: number[] = [];
  for (let s = 0; s < forecast.seriesIds.length; s++) {
    for (let k = 0; k < h; k++) {
      const i = s * h + k;
      const a = actual.get(`${forecast.seriesIds[s]}\u0000${forecast.dates[i]}`);
      if (a === undefined || !Number.isFinite(a)) continue;
      date.push(forecast.dates[i]);
      y.push(a);
      yhat.push(yhatAll[i]);
    }
  }
  return {
    date: Int32Array.from(date),
    y: Float64Array.from(y),
    yhat: Float64Array.from(yhat),
    firstNewDay: lastHistory + 1,
  };
}

export function createMonitoringService(deps: MonitoringDeps): MonitoringService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const run: MonitoringService['run'] = async (tenantId, request) => {
    const model = request.model ?? DEFAULT_MODEL_NAME;
    const dataset = await store.withTenant(tenantId, (r) => r.datasets.get(request.datasetId));
    if (!dataset)
      throw new SalescastError('NOT_FOUND', `No dataset '${request.datasetId}'.`, { field: 'dataset_id' });
    const production = await deps.productionModels.get(tenantId, model);
    const { forecaster } = production;
    const { panel: current, streamed } = await withStreamedActuals(
      store,
      tenantId,
      await deps.loadPanel(tenantId, dataset.id, forecaster.history),
    );
    const realized = realizedForecasts(forecaster, current);
    if (!realized) return null;
    const settings = await deps.settings.read(tenantId);
    const expected = await deps.expectedWape(tenantId, model, production.version);
    const decay = detectDecay(
      periodErrors(realized.date, realized.y, realized.yhat, settings.decay.periodDays),
      expected ?? Number.NaN,
      settings.decay,
    );
    const drift = driftReport(
      panelDriftFeatures(forecaster.history, current, { currentFrom: realized.firstNewDay }),
      DEFAULT_PSI_BINS,
    );
    const driftStatus = worstStatus(drift);
    const id = randomUUID();
    const trigger = decay.decayed ? 'decay' : driftStatus === 'drift' ? 'drift' : undefined;
    let triggeredJobId: string | null = null;
    if (trigger) {
      const schedule = (await store.withTenant(tenantId, (r) => r.schedules.listByTrigger(trigger)))[0];
      if (schedule) {
        const job = await deps.jobs.enqueue(tenantId, {
          kind: 'retrain',
          payload: {
            ...(JSON.parse(schedule.payload) as Record<string, unknown>),
            dataset_id: dataset.id,
            model,
            reason: `${trigger}:${id}`,
          },
          createdBy: `schedule:${schedule.id}`,
          // Once per finding: a later check finds anew only with data the last one lacked.
          idempotencyKey: `${trigger}:${model}:${production.version}:${dataset.id}:${streamed.through ?? ''}`,
        });
        triggeredJobId = job.id;
        await store.withTenant(tenantId, (r) =>
          r.schedules.markRun(schedule.id, now().toISOString(), job.id),
        );
      }
    }
    const row: Omit<MonitoringReportRow, 'tenant_id'> = {
      id,
      model_name: model,
      model_version: production.version,
      dataset_id: dataset.id,
      drift_status: driftStatus,
      decayed: decay.decayed ? 1 : 0,
      expected_wape: Number.isFinite(decay.expected_wape) ? decay.expected_wape : null,
      realized_wape: Number.isFinite(decay.realized_wape) ? decay.realized_wape : null,
      // NaN (an undefined metric) becomes null in JSON, as everywhere else.
      report: JSON.stringify({
        drift,
        decay,
        rows: realized.y.length,
        streamed_actuals: streamed.actuals,
        actor: request.actor,
      }),
      triggered_job_id: triggeredJobId,
      created_at: now().toISOString(),
    };
    await store.withTenant(tenantId, (r) => r.monitoring.insertReport(row));
    return toReport({ ...row, tenant_id: tenantId });
  };

  return {
    run,
    async check(p, request) {
      authorizeActor(p, 'models:train');
      const report = await run(p.tenantId, { ...request, actor: actorLabel(p) });
      if (!report) {
        throw new SalescastError(
          'INVALID_DATA',
          'The dataset and the actuals streamed after it have no period after the production model’s training data: nothing to compare yet.',
          { field: 'dataset_id' },
        );
      }
      return report;
    },
    async list(p, filter) {
      authorizeActor(p, 'forecasts:view');
      return (await store.withTenant(p.tenantId, (r) => r.monitoring.listReports(filter))).map(toReport);
    },
    async get(p, id) {
      authorizeActor(p, 'forecasts:view');
      const row = await store.withTenant(p.tenantId, (r) => r.monitoring.getReport(id));
      if (!row) throw new SalescastError('NOT_FOUND', `No monitoring report '${id}'.`, { field: 'id' });
      return toReport(row);
    },
  };
}
