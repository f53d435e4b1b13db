/**
 * Experiment tracking and the model registry of a tenant.
 *
 * - `train` fits a forecaster on one of the tenant's datasets, backtests it (per-fold and aggregate
 *   metrics), records the run and registers the fitted forecaster as a new immutable version in
 *   `staging`: all in one transaction at the end, so a failure (or a killed process) never leaves
 *   a half-registered model. A failed run is recorded as failed, without a version.
 * - `promote` makes a version the champion (`production`) when the promotion policy passes on the
 *   challenger's own backtest windows (the champion is re-scored on them), or when an admin forces
 *   it; `rollback` restores the previous production version or a named one. Both switch stages in
 *   one transaction that holds the model's row lock, so exactly one version is in production at
 *   every instant (the schema refuses two), and both check that the new champion's artifact loads
 *   before committing.
 * - Every stage change is recorded in the stage history and audited with the metrics behind it.
 *
 * Callers are API principals (permission-checked) or the system itself (the CLI on the server's
 * machine, scheduled retraining), which is trusted and audited under its own name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CODE_VERSION } from '../core/config.js';
import { isSalescastError, SalescastError } from '../core/errors.js';
import type { Panel } from '../features/panel.js';
import { Forecaster } from '../forecast/forecaster.js';
import type { Strategy } from '../forecast/model.js';
import { chooseModel, type ModelSelection } from '../forecast/model-choice.js';
import type { GbmLoss } from '../forecast/presets.js';
import { appendAudit } from '../platform/audit-service.js';
import type { Principal, RequestContext } from '../platform/principal.js';
import type { UsageService } from '../platform/usage-service.js';
import { withStreamedActuals } from '../realtime/streamed-actuals.js';
import { datasetDir } from '../store/files.js';
import { readForecastData } from '../store/forecast-data.js';
import type { ModelVersionMeta, StageChangeRow } from '../store/repositories/models.js';
import type { RunRow } from '../store/repositories/runs.js';
import type { Store, TenantRepos } from '../store/store.js';
import { actorLabel, authorizeActor } from './actors.js';
import { type RunMetrics, runMetrics, scoreOnWindows, servedModel } from './backtest-scores.js';
import { DEFAULT_MODEL_NAME, type ModelChange } from './production-models.js';
import {
  decidePromotion,
  type PromotionDecision,
  type PromotionPolicy,
  policyScores,
  resolvePolicy,
} from './promotion-policy.js';

export const STAGES = ['staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];
export const RUN_KINDS = ['train', 'backtest', 'retrain'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** The system acting on its own: the CLI on the server's machine, a scheduled job. */
export interface SystemActor {
  readonly kind: 'system';
  /** Audited as `system:<id>`, e.g. `system:cli`, `system:retrain`. */
  readonly id: string;
  readonly tenantId: string;
}

/** Who asks: an API caller (permission-checked) or the system (trusted). */
export type Actor = Principal | SystemActor;

export function systemActor(tenantId: string, id = 'cli'): SystemActor {
  return { kind: 'system', id, tenantId };
}

/** Training settings; everything but the dataset and the horizon has a default. */
export interface TrainInput {
  readonly datasetId: string;
  /** Registered model to add a version to; default `DEFAULT_MODEL_NAME`. */
  readonly modelName?: string;
  /** 'train' (default) and 'retrain' register a version; 'backtest' records metrics only. */
  readonly kind?: RunKind;
  /** Longest horizon the model will forecast, in periods of the data. */
  readonly horizon: number;
  /** Model choice as the `train` command takes it; default 'auto'. */
  readonly model?: ModelSelection;
  readonly strategy?: Strategy;
  readonly loss?: GbmLoss;
  readonly intervals?: 'conformal' | 'quantile-loss';
  readonly quantiles?: readonly number[];
  readonly seed?: number;
  /** Candidates tried by model 'automl'. */
  readonly trials?: number;
  /** Backtest windows (each `horizon` long, the last ending at the data's end); default 2. */
  readonly windows?: number;
  /**
   * Also train on the actuals streamed for dates after each series' end in the dataset
   * (`withStreamedActuals`); default false, so that a run on a dataset is that dataset alone.
   * Retrain jobs ask for them by default.
   */
  readonly streamedActuals?: boolean;
}

export interface RunView {
  id: string;
  kind: string;
  status: string;
  model_name: string | null;
  params: Record<string, unknown>;
  dataset_id: string | null;
  input_hash: string;
  features: Record<string, unknown>;
  code_version: string;
  metrics: RunMetrics | null;
  error: string | null;
  artifact_ref: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  created_by: string;
}

export interface VersionView {
  name: string;
  version: number;
  stage: string;
  artifact_bytes: number;
  artifact_sha256: string;
  metrics: RunMetrics;
  hyperparameters: Record<string, unknown>;
  run_id: string | null;
  dataset_id: string | null;
  input_hash: string;
  code_version: string;
  created_by: string;
  created_at: string;
}

export interface StageChangeView {
  version: number;
  from_stage: string | null;
  to_stage: string;
  actor: string;
  reason: string;
  metrics: Record<string, unknown>;
  at: string;
}

export interface ModelView {
  name: string;
  latest_version: number;
  production_version: number | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface RunComparison {
  runs: RunView[];
  /** Every parameter, one value per run (null where a run lacks it). */
  params: { name: string; values: unknown[]; differs: boolean }[];
  /** Aggregate metrics of the served model, one value per run. */
  metrics: { name: string; values: (number | null)[]; best: number | null }[];
}

export interface Evaluation {
  /** The version challenging the champion. */
  version: number;
  champion: number | null;
  decision: PromotionDecision;
  /** The champion's metrics on the challenger's windows (null without champion or on failure). */
  champion_metrics: RunMetrics | null;
}

export interface PromoteInput {
  /** Skip the policy (admins and the system only). */
  readonly force?: boolean;
  /** Evaluate only: nothing changes. */
  readonly dryRun?: boolean;
  readonly reason?: string;
  /** Overrides of the default promotion policy. */
  readonly policy?: Partial<PromotionPolicy>;
}

export interface PromoteResult {
  promoted: boolean;
  version: VersionView;
  /** The production version before (now archived). */
  previous: number | null;
  evaluation: Evaluation | null;
}

export interface RollbackResult {
  version: VersionView;
  previous: number;
}

export interface RegistryService {
  /** Trains, backtests, records the run and (unless a backtest) registers a staging version. */
  train(
    by: Actor,
    input: TrainInput,
    ctx: RequestContext,
  ): Promise<{ run: RunView; version: VersionView | null }>;
  listRuns(
    by: Actor,
    filter: { kind?: string; status?: string; modelName?: string; limit: number },
  ): Promise<RunView[]>;
  getRun(by: Actor, id: string): Promise<RunView>;
  /** Side-by-side params and metrics of 2 to 10 runs. */
  compareRuns(by: Actor, ids: readonly string[]): Promise<RunComparison>;
  listModels(by: Actor): Promise<ModelView[]>;
  /** A model with its versions (newest first) and stage history (oldest first). */
  getModel(
    by: Actor,
    name: string,
  ): Promise<{ model: ModelView; versions: VersionView[]; history: StageChangeView[] }>;
  getVersion(by: Actor, name: string, version: number): Promise<VersionView>;
  /** Scores `version` against the champion under the policy; changes nothing. */
  evaluate(by: Actor, name: string, version: number, policy?: Partial<PromotionPolicy>): Promise<Evaluation>;
  /**
   * Makes `version` the production version if the policy passes (or `force`). Throws
   * PROMOTION_REJECTED (with the policy's reason) when it does not, after auditing the refusal.
   */
  promote(
    by: Actor,
    name: string,
    version: number,
    input: PromoteInput,
    ctx: RequestContext,
  ): Promise<PromoteResult>;
  /** Restores the previous production version of `name`, or `toVersion`. */
  rollback(
    by: Actor,
    name: string,
    input: { toVersion?: number; reason?: string },
    ctx: RequestContext,
  ): Promise<RollbackResult>;
  /** Deserializes one version's artifact (no permission check: serving and jobs use it). */
  loadVersion(tenantId: string, name: string, version: number): Promise<Forecaster>;
}

export interface RegistryDeps {
  store: Store;
  usage: UsageService;
  dataDir: string;
  /** Called after a promotion or rollback commits (serving caches listen). */
  onChange?: (change: ModelChange) => void;
  now?: () => Date;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_WINDOWS = 20;

/** Throws INVALID_ARGUMENT unless `name` is a model name (letters, digits, `_.-`, ≤ 64). */
export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${name}' is not a model name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit.`,
      { field: 'name' },
    );
  }
  return name;
}

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

function toRunView(r: RunRow): RunView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    model_name: r.model_name,
    params: json(r.params),
    dataset_id: r.dataset_id,
    input_hash: r.input_hash,
    features: json(r.features),
    code_version: r.code_version,
    metrics: r.metrics === 'null' ? null : json(r.metrics),
    error: r.error,
    artifact_ref: r.artifact_ref,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    created_by: r.created_by,
  };
}

function toVersionView(v: ModelVersionMeta): VersionView {
  return {
    name: v.model_name,
    version: Number(v.version),
    stage: v.stage,
    artifact_bytes: Number(v.artifact_bytes),
    artifact_sha256: v.artifact_sha256,
    metrics: json(v.metrics),
    hyperparameters: json(v.hyperparameters),
    run_id: v.run_id,
    dataset_id: v.dataset_id,
    input_hash: v.input_hash,
    code_version: v.code_version,
    created_by: v.created_by,
    created_at: v.created_at,
  };
}

function toChangeView(h: StageChangeRow): StageChangeView {
  return {
    version: Number(h.version),
    from_stage: h.from_stage,
    to_stage: h.to_stage,
    actor: h.actor,
    reason: h.reason,
    metrics: json(h.metrics),
    at: h.at,
  };
}

/** The headline metrics of a version for history and audit entries (not every per-fold figure). */
function headline(m: RunMetrics | null | undefined): Record<string, unknown> {
  if (!m) return {};
  const a = m.aggregate;
  return {
    model: m.model,
    cutoffs: m.cutoffs,
    horizon: m.horizon,
    wape: a.wape,
    rmse: a.rmse,
    bias: a.bias,
    coverage: a.coverage ?? null,
  };
}

/** The production version before the current one, from the stage history (oldest first). */
function previousProduction(history: readonly StageChangeRow[], current: number): number | undefined {
  const promotions = history.filter((h) => h.to_stage === 'production');
  for (let i = promotions.length - 1; i >= 0; i--) {
    if (Number(promotions[i].version) !== current) return Number(promotions[i].version);
  }
  return undefined;
}

function checkTrainInput(input: TrainInput): void {
  if (!(Number.isInteger(input.horizon) && input.horizon >= 1 && input.horizon <= 10_000)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The horizon must be an integer in [1, 10000]; got ${input.horizon}.`,
      {
        field: 'horizon',
      },
    );
  }
  const w = input.windows ?? 2;
  if (!(Number.isInteger(w) && w >= 1 && w <= MAX_WINDOWS)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `windows must be an integer in [1, ${MAX_WINDOWS}]; got ${w}.`,
      {
        field: 'windows',
      },
    );
  }
  if (input.kind !== undefined && !(RUN_KINDS as readonly string[]).includes(input.kind)) {
    throw new SalescastError('INVALID_ARGUMENT', `kind must be one of ${RUN_KINDS.join(', ')}.`, {
      field: 'kind',
    });
  }
}

export function createRegistryService(deps: RegistryDeps): RegistryService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const readPanel = (tenantId: string, datasetId: string, like?: Panel) =>
    readForecastData(datasetDir(deps.dataDir, tenantId, datasetId), like ? { like } : {});

  const loadVersion = async (tenantId: string, name: string, version: number): Promise<Forecaster> => {
    const bytes = await store.withTenant(tenantId, (r) => r.models.artifact(name, version));
    if (!bytes) throw new SalescastError('NOT_FOUND', `Model '${name}' has no version ${version}.`);
    return Forecaster.deserialize(bytes);
  };

  const versionOrThrow = async (r: TenantRepos, name: string, version: number): Promise<ModelVersionMeta> => {
    const v = await r.models.getVersion(name, version);
    if (!v)
      throw new SalescastError('NOT_FOUND', `Model '${name}' has no version ${version}.`, {
        field: 'version',
      });
    return v;
  };

  const audit = (
    r: TenantRepos,
    by: Actor,
    ctx: RequestContext,
    e: Omit<Parameters<typeof appendAudit>[1], 'actor' | 'requestId'>,
  ) => appendAudit(r, { ...e, actor: actorLabel(by), requestId: ctx.requestId }, now());

  /** Switches `to` into production (archiving `from`) inside `r`'s transaction, with history. */
  const switchProduction = async (
    r: TenantRepos,
    by: Actor,
    name: string,
    from: ModelVersionMeta | undefined,
    to: ModelVersionMeta,
    reason: string,
    metrics: Record<string, unknown>,
  ) => {
    const at = now().toISOString();
    if (from) {
      await r.models.setStage(name, Number(from.version), 'archived');
      await r.models.appendHistory({
        id: randomUUID(),
        model_name: name,
        version: Number(from.version),
        from_stage: 'production',
        to_stage: 'archived',
        actor: actorLabel(by),
        reason: `replaced by version ${to.version}: ${reason}`,
        metrics: JSON.stringify(metrics),
        at,
      });
    }
    await r.models.setStage(name, Number(to.version), 'production');
    await r.models.appendHistory({
      id: randomUUID(),
      model_name: name,
      version: Number(to.version),
      from_stage: to.stage,
      to_stage: 'production',
      actor: actorLabel(by),
      reason,
      metrics: JSON.stringify(metrics),
      at,
    });
    // The new champion must load before anyone is told it is in production: a corrupt artifact
    // aborts the whole switch and the old champion stays.
    const bytes = await r.models.artifact(name, Number(to.version));
    Forecaster.deserialize(bytes ?? new Uint8Array());
  };

  const evaluate = async (
    tenantId: string,
    name: string,
    challenger: ModelVersionMeta,
    champion: ModelVersionMeta | undefined,
    policy: Partial<PromotionPolicy> | undefined,
  ): Promise<Evaluation> => {
    const metrics = json<RunMetrics>(challenger.metrics);
    if (!champion) {
      return {
        version: Number(challenger.version),
        champion: null,
        decision: decidePromotion(policyScores(metrics.aggregate), undefined, policy),
        champion_metrics: null,
      };
    }
    let championMetrics: RunMetrics | null = null;
    let failure: string | undefined;
    try {
      if (!challenger.dataset_id)
        throw new SalescastError('CONFLICT', 'the challenger has no dataset to backtest on');
      const forecaster = await loadVersion(tenantId, name, Number(champion.version));
      const read = await readPanel(tenantId, challenger.dataset_id, forecaster.history);
      // The challenger's windows end where its data did: with the actuals it streamed in, if any.
      const through = json<Record<string, unknown>>(challenger.hyperparameters).streamed_through;
      const panel =
        typeof through === 'string'
          ? (await withStreamedActuals(store, tenantId, read, through)).panel
          : read;
      championMetrics = scoreOnWindows(forecaster, panel, metrics);
    } catch (e) {
      if (!isSalescastError(e)) throw e;
      failure = e.message;
    }
    const decision = championMetrics
      ? decidePromotion(policyScores(metrics.aggregate), policyScores(championMetrics.aggregate), policy)
      : {
          promote: false,
          reason: `The champion (version ${champion.version}) could not be scored on the challenger's windows (${failure}): the champion stays.`,
          comparisons: [],
          policy: resolvePolicy(policy),
        };
    return {
      version: Number(challenger.version),
      champion: Number(champion.version),
      decision,
      champion_metrics: championMetrics,
    };
  };

  const recordFailedRun = async (
    by: Actor,
    run: Omit<RunRow, 'tenant_id'>,
    ctx: RequestContext,
    e: unknown,
  ) => {
    const message = isSalescastError(e) ? e.message : 'internal error';
    await store.withTenant(by.tenantId, async (r) => {
      await r.runs.insert({ ...run, status: 'failed', error: message });
      await audit(r, by, ctx, {
        action: 'run.train',
        target: `run:${run.id}`,
        outcome: 'failure',
        details: {
          kind: run.kind,
          dataset_id: run.dataset_id,
          code: isSalescastError(e) ? e.code : 'INTERNAL',
          reason: message,
        },
      });
    });
  };

  return {
    async train(by, input, ctx) {
      authorizeActor(by, 'models:train');
      checkTrainInput(input);
      const kind = input.kind ?? 'train';
      const name = checkModelName(input.modelName ?? DEFAULT_MODEL_NAME);
      const dataset = await store.withTenant(by.tenantId, (r) => r.datasets.get(input.datasetId));
      if (!dataset) {
        throw new SalescastError('NOT_FOUND', `No dataset '${input.datasetId}'.`, { field: 'dataset_id' });
      }
      const params = {
        horizon: input.horizon,
        model: input.model ?? 'auto',
        // Unset, the preset chooses (e.g. 'auto' adds a Tweedie member on never-negative targets and
        // forecasts a large panel recursively); the version's hyperparameters record the strategy used.
        strategy: input.strategy ?? null,
        loss: input.loss ?? null,
        intervals: input.intervals ?? 'conformal',
        quantiles: [...(input.quantiles ?? [0.1, 0.5, 0.9])],
        seed: input.seed ?? 0,
        trials: input.trials ?? 12,
        windows: input.windows ?? 2,
        streamed_actuals: input.streamedActuals ?? false,
      };
      const started = now();
      const run: Omit<RunRow, 'tenant_id'> = {
        id: randomUUID(),
        kind,
        status: 'succeeded',
        model_name: kind === 'backtest' ? null : name,
        params: JSON.stringify(params),
        dataset_id: dataset.id,
        input_hash: dataset.input_hash,
        features: '{}',
        code_version: CODE_VERSION,
        metrics: 'null',
        error: null,
        artifact_ref: null,
        started_at: started.toISOString(),
        finished_at: null,
        duration_ms: null,
        created_by: actorLabel(by),
      };
      try {
        const read = await readPanel(by.tenantId, dataset.id);
        const { panel, streamed } = params.streamed_actuals
          ? await withStreamedActuals(store, by.tenantId, read)
          : { panel: read, streamed: null };
        const chosen = chooseModel(params.model, panel, {
          h: params.horizon,
          quantiles: params.quantiles,
          seed: params.seed,
          strategy: params.strategy ?? undefined,
          loss: params.loss ?? undefined,
          intervalMethod: params.intervals,
          trials: params.trials,
        });
        const o = chosen.options;
        const features = {
          drivers: [...(o.exog ?? Object.keys(panel.exog))],
          lags: o.lags ?? null,
          lag_transforms: o.lagTransforms ? Object.keys(o.lagTransforms).map(Number) : null,
          date_features: o.dateFeatures ?? null,
          series_id: o.seriesId ?? true,
          target_encodings: o.targetEncodings ?? true,
          frequency: panel.freq,
          series: panel.seriesIds.length,
          streamed,
        };
        run.features = JSON.stringify(features);
        const probe = new Forecaster(o);
        const cv = probe.crossValidation(panel, { h: params.horizon, nWindows: params.windows, refit: true });
        if (cv.y.length === 0) {
          throw new SalescastError(
            'INVALID_DATA',
            `The dataset is too short for ${params.windows} backtest windows of ${params.horizon} periods.`,
            { field: 'windows' },
          );
        }
        const metrics = runMetrics(cv, panel, params.horizon, servedModel(probe));
        run.metrics = JSON.stringify(metrics);
        let fitted: Forecaster | undefined;
        let artifact: Uint8Array | undefined;
        if (kind !== 'backtest') {
          fitted = new Forecaster(o).fit(panel, { h: params.horizon });
          artifact = fitted.serialize();
        }
        const finished = now();
        run.finished_at = finished.toISOString();
        run.duration_ms = finished.getTime() - started.getTime();
        const hyperparameters = {
          ...params,
          strategy: o.strategy ?? 'recursive',
          models: fitted?.modelNames ?? probe.modelNames,
          served: metrics.model,
          weights: fitted ? Object.fromEntries(fitted.weights) : {},
          ensemble: o.ensemble ?? false,
          // What `evaluate` needs to rebuild the training data: the dataset plus the streamed
          // actuals through this date.
          streamed_through: streamed?.through ?? null,
          automl: chosen.automl
            ? {
                family: chosen.automl.best.family,
                params: chosen.automl.best.params,
                strategy: chosen.automl.best.strategy,
                transform: chosen.automl.best.transform,
              }
            : null,
        };
        const trainingMinutes = Math.ceil(run.duration_ms / 60_000);
        return await store.withTenant(by.tenantId, async (r) => {
          if (trainingMinutes > 0) await deps.usage.addIn(r, 'training_minutes', trainingMinutes);
          if (!artifact) {
            await r.runs.insert(run);
            await audit(r, by, ctx, {
              action: 'run.backtest',
              target: `run:${run.id}`,
              outcome: 'success',
              details: { dataset_id: dataset.id, ...headline(metrics) },
            });
            return { run: toRunView({ ...run, tenant_id: by.tenantId }), version: null };
          }
          const at = finished.toISOString();
          const { version, created } = await r.models.nextVersion(name, actorLabel(by), at);
          if (created) await deps.usage.addIn(r, 'models', 1);
          await deps.usage.addIn(r, 'storage_bytes', artifact.length);
          run.artifact_ref = `model:${name}@${version}`;
          await r.runs.insert(run);
          const row = {
            id: randomUUID(),
            model_name: name,
            version,
            stage: 'staging',
            artifact,
            artifact_bytes: artifact.length,
            artifact_sha256: createHash('sha256').update(artifact).digest('hex'),
            metrics: run.metrics,
            hyperparameters: JSON.stringify(hyperparameters),
            run_id: run.id,
            dataset_id: dataset.id,
            input_hash: dataset.input_hash,
            code_version: CODE_VERSION,
            created_by: actorLabel(by),
            created_at: at,
          };
          await r.models.insertVersion(row);
          await r.models.appendHistory({
            id: randomUUID(),
            model_name: name,
            version,
            from_stage: null,
            to_stage: 'staging',
            actor: actorLabel(by),
            reason: `registered by ${kind} run ${run.id}`,
            metrics: JSON.stringify(headline(metrics)),
            at,
          });
          await audit(r, by, ctx, {
            action: 'model.register',
            target: `model:${name}@${version}`,
            outcome: 'success',
            details: { run_id: run.id, dataset_id: dataset.id, kind, ...headline(metrics) },
          });
          const { artifact: _bytes, ...meta } = row;
          return {
            run: toRunView({ ...run, tenant_id: by.tenantId }),
            version: toVersionView({ ...meta, tenant_id: by.tenantId }),
          };
        });
      } catch (e) {
        const finished = now();
        run.finished_at = finished.toISOString();
        run.duration_ms = finished.getTime() - started.getTime();
        run.artifact_ref = null;
        await recordFailedRun(by, run, ctx, e);
        throw e;
      }
    },

    async listRuns(by, filter) {
      authorizeActor(by, 'forecasts:view');
      const rows = await store.withTenant(by.tenantId, (r) => r.runs.list(filter));
      return rows.map(toRunView);
    },

    async getRun(by, id) {
      authorizeActor(by, 'forecasts:view');
      const row = await store.withTenant(by.tenantId, (r) => r.runs.get(id));
      if (!row) throw new SalescastError('NOT_FOUND', `No run '${id}'.`, { field: 'id' });
      return toRunView(row);
    },

    async compareRuns(by, ids) {
      authorizeActor(by, 'forecasts:view');
      const unique = [...new Set(ids)];
      if (unique.length < 2 || unique.length > 10) {
        throw new SalescastError('INVALID_ARGUMENT', `Compare 2 to 10 distinct runs; got ${unique.length}.`, {
          field: 'ids',
        });
      }
      const rows = await store.withTenant(by.tenantId, (r) => r.runs.getMany(unique));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const missing = unique.find((id) => !byId.has(id));
      if (missing) throw new SalescastError('NOT_FOUND', `No run '${missing}'.`, { field: 'ids' });
      const runs = unique.map((id) => toRunView(byId.get(id)!));
      const paramNames = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
      const params = paramNames.map((name) => {
        const values = runs.map((r) => r.params[name] ?? null);
        const differs = new Set(values.map((v) => JSON.stringify(v))).size > 1;
        return { name, values, differs };
      });
      const metricNames = [
        'wape',
        'mae',
        'rmse',
        'mase',
        'smape',
        'bias',
        'coverage',
        'intervalWidth',
      ] as const;
      const metrics = metricNames.map((name) => {
        const values = runs.map((r) => {
          const v = r.metrics?.aggregate[name];
          return typeof v === 'number' ? v : null;
        });
        const finite = values.filter((v): v is number => v !== null);
        // Lower is better for every error; for bias and coverage "best" is the closest to target.
        const best =
          finite.length === 0
            ? null
            : name === 'bias'
              ? finite.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a))
              : name === 'coverage'
                ? null
                : Math.min(...finite);
        return { name, values, best };
      });
      return { runs, params, metrics };
    },

    async listModels(by) {
      authorizeActor(by, 'forecasts:view');
      return store.withTenant(by.tenantId, async (r) => {
        const models = await r.models.listModels();
        const production = new Map(
          (await r.models.productions()).map((v) => [v.model_name, Number(v.version)]),
        );
        return models.map((m) => ({
          name: m.name,
          latest_version: Number(m.latest_version),
          production_version: production.get(m.name) ?? null,
          created_by: m.created_by,
          created_at: m.created_at,
          updated_at: m.updated_at,
        }));
      });
    },

    async getModel(by, name) {
      authorizeActor(by, 'forecasts:view');
      return store.withTenant(by.tenantId, async (r) => {
        const m = await r.models.getModel(name);
        if (!m) throw new SalescastError('NOT_FOUND', `No model '${name}'.`, { field: 'name' });
        const versions = (await r.models.listVersions(name)).map(toVersionView);
        return {
          model: {
            name: m.name,
            latest_version: Number(m.latest_version),
            production_version: versions.find((v) => v.stage === 'production')?.version ?? null,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
          },
          versions,
          history: (await r.models.history(name)).map(toChangeView),
        };
      });
    },

    async getVersion(by, name, version) {
      authorizeActor(by, 'forecasts:view');
      return toVersionView(await store.withTenant(by.tenantId, (r) => versionOrThrow(r, name, version)));
    },

    async evaluate(by, name, version, policy) {
      authorizeActor(by, 'forecasts:view');
      resolvePolicy(policy);
      const [challenger, champion] = await store.withTenant(by.tenantId, async (r) => [
        await versionOrThrow(r, name, version),
        await r.models.production(name),
      ]);
      return evaluate(by.tenantId, name, challenger, champion, policy);
    },

    async promote(by, name, version, input, ctx) {
      authorizeActor(by, 'models:promote');
      if (input.force && by.kind !== 'system' && by.role !== 'admin') {
        throw new SalescastError(
          'FORBIDDEN',
          'Only an admin may force a promotion past the promotion policy.',
          {
            field: 'force',
          },
        );
      }
      resolvePolicy(input.policy);
      const [challenger, champion] = await store.withTenant(by.tenantId, async (r) => [
        await versionOrThrow(r, name, version),
        await r.models.production(name),
      ]);
      if (challenger.stage === 'production') {
        throw new SalescastError('CONFLICT', `Version ${version} of '${name}' is already in production.`, {
          field: 'version',
        });
      }
      const evaluation = input.force
        ? null
        : await evaluate(by.tenantId, name, challenger, champion, input.policy);
      if (input.dryRun) {
        return {
          promoted: false,
          version: toVersionView(challenger),
          previous: champion ? Number(champion.version) : null,
          evaluation,
        };
      }
      const justification = {
        challenger: headline(json<RunMetrics>(challenger.metrics)),
        champion_version: champion ? Number(champion.version) : null,
        champion_on_challenger_windows: headline(evaluation?.champion_metrics),
        comparisons: evaluation?.decision.comparisons ?? [],
        policy: evaluation?.decision.policy ?? null,
        forced: input.force ?? false,
      };
      if (evaluation && !evaluation.decision.promote) {
        await store.withTenant(by.tenantId, (r) =>
          audit(r, by, ctx, {
            action: 'model.promote',
            target: `model:${name}@${version}`,
            outcome: 'failure',
            details: { reason: evaluation.decision.reason, ...justification },
          }),
        );
        throw new SalescastError('PROMOTION_REJECTED', evaluation.decision.reason, { field: 'version' });
      }
      const reason =
        input.reason ??
        (input.force ? 'forced past the promotion policy' : (evaluation?.decision.reason ?? 'promoted'));
      const result = await store.withTenant(by.tenantId, async (r) => {
        await r.models.lock(name, now().toISOString());
        // Re-read under the lock: another promotion may have committed while we evaluated.
        const current = await r.models.production(name);
        const target = await versionOrThrow(r, name, version);
        if (target.stage === 'production') {
          throw new SalescastError('CONFLICT', `Version ${version} of '${name}' is already in production.`, {
            field: 'version',
          });
        }
        if (
          !input.force &&
          (current ? Number(current.version) : null) !== (champion ? Number(champion.version) : null)
        ) {
          throw new SalescastError(
            'CONFLICT',
            `The production version of '${name}' changed while version ${version} was evaluated; promote again.`,
          );
        }
        await switchProduction(r, by, name, current, target, reason, justification);
        await audit(r, by, ctx, {
          action: 'model.promote',
          target: `model:${name}@${version}`,
          outcome: 'success',
          details: { reason, previous: current ? Number(current.version) : null, ...justification },
        });
        return {
          target: { ...target, stage: 'production' },
          previous: current ? Number(current.version) : null,
        };
      });
      deps.onChange?.({ tenantId: by.tenantId, name, version });
      return { promoted: true, version: toVersionView(result.target), previous: result.previous, evaluation };
    },

    async rollback(by, name, input, ctx) {
      authorizeActor(by, 'models:rollback');
      const result = await store
        .withTenant(by.tenantId, async (r) => {
          if (!(await r.models.lock(name, now().toISOString()))) {
            throw new SalescastError('NOT_FOUND', `No model '${name}'.`, { field: 'name' });
          }
          const current = await r.models.production(name);
          if (!current) {
            throw new SalescastError(
              'CONFLICT',
              `Model '${name}' has no production version to roll back from.`,
            );
          }
          const to =
            input.toVersion ?? previousProduction(await r.models.history(name), Number(current.version));
          if (to === undefined) {
            throw new SalescastError(
              'CONFLICT',
              `Model '${name}' has had no production version before version ${current.version}.`,
            );
          }
          if (to === Number(current.version)) {
            throw new SalescastError('CONFLICT', `Version ${to} of '${name}' is already in production.`, {
              field: 'to_version',
            });
          }
          const target = await versionOrThrow(r, name, to);
          const reason = input.reason ?? `rollback from version ${current.version}`;
          const metrics = {
            restored: headline(json<RunMetrics>(target.metrics)),
            replaced_version: Number(current.version),
          };
          await switchProduction(r, by, name, current, target, reason, metrics);
          await audit(r, by, ctx, {
            action: 'model.rollback',
            target: `model:${name}@${to}`,
            outcome: 'success',
            details: { reason, previous: Number(current.version), ...metrics },
          });
          return { target: { ...target, stage: 'production' }, previous: Number(current.version) };
        })
        .catch(async (e: unknown) => {
          // The switch rolled back; the attempt itself stays on the record.
          await store.withTenant(by.tenantId, (r) =>
            audit(r, by, ctx, {
              action: 'model.rollback',
              target: `model:${name}${input.toVersion ? `@${input.toVersion}` : ''}`,
              outcome: 'failure',
              details: {
                code: isSalescastError(e) ? e.code : 'INTERNAL',
                reason: isSalescastError(e) ? e.message : 'internal error',
              },
            }),
          );
          throw e;
        });
      deps.onChange?.({ tenantId: by.tenantId, name, version: Number(result.target.version) });
      return { version: toVersionView(result.target), previous: result.previous };
    },

    loadVersion,
  };
}
