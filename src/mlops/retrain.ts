/**
 * The retrain job: new data (a dataset) → AutoML tuning with a small trial budget → backtest →
 * register a staging version → compare with the champion under the promotion policy → promote
 * automatically when the tenant allows it. Every step writes a line to the job's durable log.
 *
 * Crash safety: the registry's train-and-register is one database transaction, keyed by the job
 * id, so an attempt killed midway registered nothing, and a retry of an attempt that did commit
 * finds its version instead of registering a second one. Promotion is idempotent too (promoting
 * the version already in production changes nothing).
 */
import { SalescastError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { JobContext, JobHandler } from './jobs.js';
import type { MlopsSettingsService } from './settings.js';

export interface RetrainPayload {
  /** Dataset to train on; 'latest' (the default) takes the tenant's newest dataset. */
  dataset_id?: string;
  /** Registered model name (default 'default'). */
  model?: string;
  /** Forecast horizon in periods (default 28). */
  horizon?: number;
  /** AutoML trial budget (default 6). */
  trials?: number;
  seed?: number;
  /**
   * Also train on the actuals streamed after the dataset's end (default true): a tenant that
   * streams its sales retrains on them without ingesting a dataset.
   */
  streamed_actuals?: boolean;
  /** Why the job was started (manual, schedule:<id>, decay:<report>, drift:<report>). */
  reason?: string;
}

export const RETRAIN_DEFAULTS = {
  model: 'default',
  horizon: 28,
  trials: 6,
  seed: 1,
  streamed_actuals: true,
} as const;

export interface RegisteredVersion {
  version: number;
  run_id: string;
  /** Aggregate backtest metrics of the new version (WAPE at least). */
  metrics: Record<string, unknown>;
  /** True when an earlier attempt of the same job had already registered it. */
  reused: boolean;
  /** The newest streamed actual it was trained on ('YYYY-MM-DD'); null when it used none. */
  streamed_through: string | null;
}

export interface ChampionComparison {
  promote: boolean;
  reason: string;
  champion_version: number | null;
  comparisons: unknown;
}

/**
 * The registry steps a retrain needs (implemented by the model registry service). Each step runs
 * in the tenant's scope and is audited by the registry.
 */
export interface RetrainSteps {
  /**
   * Tunes (AutoML, `trials` candidates), backtests, records the run and registers a staging
   * version, all committed in one transaction. Idempotent by `idempotencyKey`.
   */
  trainAndRegister(
    tenantId: string,
    request: {
      datasetId: string;
      model: string;
      horizon: number;
      trials: number;
      seed: number;
      streamedActuals: boolean;
      idempotencyKey: string;
      actor: string;
      log: (message: string) => Promise<void>;
      signal: AbortSignal;
    },
  ): Promise<RegisteredVersion>;
  /** Scores the version and the champion on the same recent windows and applies the policy. */
  compare(tenantId: string, request: { model: string; version: number }): Promise<ChampionComparison>;
  /** Moves the version to production (audited with the comparison that justified it). */
  promote(
    tenantId: string,
    request: {
      model: string;
      version: number;
      actor: string;
      reason: string;
      comparison: ChampionComparison;
    },
  ): Promise<void>;
}

export interface RetrainResult {
  dataset_id: string;
  model: string;
  version: number;
  run_id: string;
  reused: boolean;
  metrics: Record<string, unknown>;
  streamed_through: string | null;
  comparison: ChampionComparison;
  auto_promote: boolean;
  promoted: boolean;
}

function intField(
  payload: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const v = payload[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The retrain '${field}' must be an integer in [${min}, ${max}]; got ${JSON.stringify(v)} instead.`,
      { field },
    );
  }
  return v;
}

function boolField(payload: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = payload[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The retrain '${field}' must be true or false; got ${JSON.stringify(v)} instead.`,
      { field },
    );
  }
  return v;
}

/** A name field of a job payload (a dataset id, a model name), or `fallback` when absent. */
function nameField(payload: Record<string, unknown>, field: string, fallback: string, job: string): string {
  const v = payload[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(v)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The ${job} '${field}' must be a name of 1–64 letters, digits or ._:-.`,
      { field },
    );
  }
  return v;
}

/** The payload with defaults applied; INVALID_ARGUMENT names a bad field. */
export function resolveRetrainPayload(payload: Record<string, unknown>): Required<
  Omit<RetrainPayload, 'reason'>
> & {
  reason: string;
} {
  return {
    dataset_id: nameField(payload, 'dataset_id', 'latest', 'retrain'),
    model: nameField(payload, 'model', RETRAIN_DEFAULTS.model, 'retrain'),
    horizon: intField(payload, 'horizon', 1, 366, RETRAIN_DEFAULTS.horizon),
    trials: intField(payload, 'trials', 1, 50, RETRAIN_DEFAULTS.trials),
    seed: intField(payload, 'seed', 0, 4_294_967_295, RETRAIN_DEFAULTS.seed),
    streamed_actuals: boolField(payload, 'streamed_actuals', RETRAIN_DEFAULTS.streamed_actuals),
    reason: typeof payload.reason === 'string' ? payload.reason.slice(0, 200) : 'manual',
  };
}

/**
 * A monitoring job's payload with defaults applied: the dataset ('latest', the default, is the
 * newest when the check runs) and the model. INVALID_ARGUMENT names a bad or foreign field.
 */
export function resolveMonitorPayload(payload: Record<string, unknown>): {
  dataset_id: string;
  model: string;
} {
  const foreign = Object.keys(payload).find((k) => k !== 'dataset_id' && k !== 'model');
  if (foreign !== undefined) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `A monitoring check takes 'dataset_id' and 'model' only; '${foreign}' is a retrain's.`,
      { field: foreign },
    );
  }
  return {
    dataset_id: nameField(payload, 'dataset_id', 'latest', 'monitoring'),
    model: nameField(payload, 'model', RETRAIN_DEFAULTS.model, 'monitoring'),
  };
}

/** The dataset a retrain uses: the given id, or the newest for 'latest'; NOT_FOUND otherwise. */
export async function resolveDataset(store: Store, tenantId: string, datasetId: string): Promise<string> {
  const id =
    datasetId === 'latest'
      ? (await store.withTenant(tenantId, (r) => r.datasets.list(1)))[0]?.id
      : (await store.withTenant(tenantId, (r) => r.datasets.get(datasetId)))?.id;
  if (!id) {
    throw new SalescastError(
      'NOT_FOUND',
      datasetId === 'latest' ? 'The tenant has no dataset yet.' : `No dataset '${datasetId}'.`,
      { field: 'dataset_id' },
    );
  }
  return id;
}

export interface RetrainDeps {
  store: Store;
  steps: RetrainSteps;
  settings: MlopsSettingsService;
}

/** The `retrain` job handler. */
export function retrainHandler(deps: RetrainDeps): JobHandler {
  return async (ctx: JobContext): Promise<RetrainResult> => {
    const p = resolveRetrainPayload(ctx.job.payload as Record<string, unknown>);
    const actor = `job:${ctx.job.id}`;
    const datasetId = await resolveDataset(deps.store, ctx.tenantId, p.dataset_id);
    await ctx.log(
      `data: dataset ${datasetId}${p.streamed_actuals ? ' and the actuals streamed after it' : ''} (${p.reason}); tuning ${p.trials} trials, horizon ${p.horizon}`,
    );
    const registered = await deps.steps.trainAndRegister(ctx.tenantId, {
      datasetId,
      model: p.model,
      horizon: p.horizon,
      trials: p.trials,
      seed: p.seed,
      streamedActuals: p.streamed_actuals,
      idempotencyKey: `job:${ctx.job.id}`,
      actor,
      log: (m) => ctx.log(m),
      signal: ctx.signal,
    });
    await ctx.log(
      `${registered.reused ? 'found' : 'registered'} ${p.model} v${registered.version} (staging) from run ${registered.run_id}; ${registered.streamed_through ? `streamed actuals through ${registered.streamed_through}; ` : ''}backtest WAPE ${fmt(registered.metrics.wape)}`,
    );
    const comparison = await deps.steps.compare(ctx.tenantId, {
      model: p.model,
      version: registered.version,
    });
    await ctx.log(
      `compared with champion ${comparison.champion_version === null ? '(none)' : `v${comparison.champion_version}`}: ${comparison.reason}`,
    );
    const { auto_promote } = await deps.settings.read(ctx.tenantId);
    let promoted = false;
    if (comparison.promote && auto_promote) {
      await deps.steps.promote(ctx.tenantId, {
        model: p.model,
        version: registered.version,
        actor,
        reason: `auto-promotion by retrain job ${ctx.job.id}: ${comparison.reason}`,
        comparison,
      });
      promoted = true;
      await ctx.log(`promoted ${p.model} v${registered.version} to production`);
    } else {
      await ctx.log(
        comparison.promote
          ? 'not promoted: the tenant does not allow automatic promotion (promote it by hand)'
          : 'not promoted: the challenger does not pass the policy',
      );
    }
    return {
      dataset_id: datasetId,
      model: p.model,
      version: registered.version,
      run_id: registered.run_id,
      reused: registered.reused,
      metrics: registered.metrics,
      streamed_through: registered.streamed_through,
      comparison,
      auto_promote,
      promoted,
    };
  };
}

function fmt(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}
