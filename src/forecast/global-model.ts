/**
 * A global model: one learner from `src/ml` trained on the feature rows of every series at once
 * (mlforecast's design). Two multi-horizon strategies:
 * - recursive: a one-step model; step k's forecast becomes the lag-1 value for step k + 1. Each step
 *   computes features through the online path (one new observation per series).
 * - direct: the model only sees target lags ≥ the horizon, so every future row's features come from
 *   observed history and all steps are predicted at once through the batch path.
 * Either way a feature at position t reads the target only at positions ≤ t − 1 (recursive) or
 * ≤ t − horizon (direct): the future it predicts is never an input.
 */
import { NotFittedError, SalescastError } from '../core/errors.js';
import {
  computeBatch,
  computeOnline,
  type FeatureDefinition,
  matrixMeta,
  numericExog,
  seriesView,
} from '../features/definition.js';
import { buildFeatureSet, type FeatureConfig } from '../features/feature-set.js';
import { type Panel, seriesCount } from '../features/panel.js';
import type { FeatureMatrix, Regressor } from '../ml/estimator.js';
import {
  decodeArtifact,
  deserializeLearner,
  GradientBoosting,
  type GradientBoostingParams,
  RandomForest,
  type RandomForestParams,
  Ridge,
  type RidgeParams,
} from '../ml/index.js';
import type { FitContext, ForecastModel, ModelForecast, SerializedModel, Strategy } from './model.js';
import { historyLength } from './model.js';

export interface GlobalModelOptions {
  /** Makes the point learner. */
  readonly learner: () => Regressor;
  /**
   * Makes a learner of the `alpha` quantile (e.g. GradientBoosting with quantile loss). When given,
   * the model forecasts the forecaster's quantiles itself (the 'quantile-loss' interval method).
   */
  readonly quantileLearner?: (alpha: number) => Regressor;
  /**
   * Train on each series' last `trainWindow` periods only (features still see the whole history):
   * recent rows describe the current regime best and keep long daily panels fast to fit.
   */
  readonly trainWindow?: number;
  /**
   * This model's own multi-horizon strategy; default the forecaster's. Lets one forecaster weigh a
   * direct member against a recursive one.
   */
  readonly strategy?: Strategy;
}

interface Fitted {
  readonly defs: FeatureDefinition[];
  readonly strategy: Strategy;
  readonly horizon: number;
  readonly point: Regressor;
  readonly quantiles: ReadonlyMap<number, Regressor>;
}

/** A global learner behind the ForecastModel interface. */
export function globalModel(options: GlobalModelOptions): ForecastModel {
  return makeGlobalModel(options, undefined);
}

/**
 * A fitted global model restored from `serialized` (what its `serialize` returned). Features are
 * rebuilt from `panel`'s columns and the forecaster's `features`, as at fit. Refitting it trains fresh
 * learners with the artifacts' hyperparameters.
 */
export function restoreGlobalModel(
  serialized: SerializedModel,
  panel: Pick<Panel, 'freq' | 'exog' | 'seriesIds'>,
  features: FeatureConfig,
): ForecastModel {
  const config = serialized.config as unknown as GlobalModelConfig;
  const artifacts = serialized.artifacts ?? [];
  if (artifacts.length !== 1 + config.quantiles.length) {
    throw new SalescastError(
      'INVALID_ARTIFACT',
      `Invalid model artifact: the ${config.learner} model lacks learners.`,
    );
  }
  const minLag = config.strategy === 'direct' ? config.horizon : 1;
  const fitted: Fitted = {
    defs: buildFeatureSet(panel, features, minLag),
    strategy: config.strategy,
    horizon: config.horizon,
    point: deserializeLearner(artifacts[0]),
    quantiles: new Map(config.quantiles.map((q, k) => [q, deserializeLearner(artifacts[k + 1])])),
  };
  const quantileArtifact = artifacts[1];
  const options: GlobalModelOptions = {
    learner: () => freshLearner(artifacts[0]),
    quantileLearner: quantileArtifact ? (alpha) => freshLearner(quantileArtifact, { alpha }) : undefined,
    trainWindow: config.trainWindow ?? undefined,
    strategy: config.ownStrategy ? config.strategy : undefined,
  };
  return makeGlobalModel(options, fitted);
}

/** What a global model stores besides its learners' artifacts. */
interface GlobalModelConfig {
  readonly learner: string;
  readonly strategy: Strategy;
  readonly horizon: number;
  readonly quantiles: number[];
  readonly trainWindow: number | null;
  /** Whether `strategy` is the model's own rather than the forecaster's (absent in older artifacts). */
  readonly ownStrategy?: boolean;
}

/** What an unfitted global model stores: how to make its learners, and its own options. */
interface GlobalModelSpec {
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The quantile learner and its hyperparameters (`alpha` is set per level); null without one. */
  readonly quantileLearner: {
    readonly learner: string;
    readonly params: Readonly<Record<string, unknown>>;
  } | null;
  readonly trainWindow: number | null;
  /** The model's own strategy; null for the forecaster's. */
  readonly strategy: Strategy | null;
}

/**
 * An unfitted global model restored from what its `serialize` returned before `fit`: it fits as the
 * original would have.
 */
export function unfittedGlobalModel(serialized: SerializedModel): ForecastModel {
  const spec = serialized.config as unknown as GlobalModelSpec;
  const quantile = spec.quantileLearner;
  return makeGlobalModel(
    {
      learner: () => learnerOf(spec.learner, spec.params),
      quantileLearner: quantile
        ? (alpha) => learnerOf(quantile.learner, { ...quantile.params, alpha })
        : undefined,
      trainWindow: spec.trainWindow ?? undefined,
      strategy: spec.strategy ?? undefined,
    },
    undefined,
  );
}

// Artifact params were validated when the learner was fitted, so they are passed back as they are.
const LEARNERS: Record<string, (params: Record<string, unknown>) => Regressor> = {
  GradientBoosting: (p) => new GradientBoosting(p as Partial<GradientBoostingParams>),
  RandomForest: (p) => new RandomForest(p as Partial<RandomForestParams>),
  Ridge: (p) => new Ridge(p as Partial<RidgeParams>),
};

/** An unfitted learner of the kind and hyperparameters of an artifact (with `overrides`). */
function freshLearner(artifact: Uint8Array, overrides: Record<string, unknown> = {}): Regressor {
  const decoded = decodeArtifact(artifact);
  return learnerOf(decoded.learner, { ...decoded.params, ...overrides });
}

/** An unfitted `learner` with `params`; INVALID_ARTIFACT for a learner salescast does not know. */
function learnerOf(learner: string, params: Readonly<Record<string, unknown>>): Regressor {
  const make = LEARNERS[learner];
  if (!make) {
    throw new SalescastError('INVALID_ARTIFACT', `Invalid model artifact: unknown learner '${learner}'.`);
  }
  return make({ ...params });
}

function makeGlobalModel(options: GlobalModelOptions, restored: Fitted | undefined): ForecastModel {
  let fitted = restored;
  const name = options.learner().name;
  return {
    name,
    fit(panel: Panel, context: FitContext) {
      const strategy = options.strategy ?? context.strategy;
      const minLag = strategy === 'direct' ? context.horizon : 1;
      const key = trainingSetKey(minLag, options.trainWindow);
      let set = context.trainingSets?.get(key);
      if (!set) {
        // Only the latest set is kept: members sharing one are fitted one after another, and a
        // large panel's matrix is hundreds of megabytes.
        context.trainingSets?.clear();
        set = trainingSet(panel, context.features, minLag, options.trainWindow);
        context.trainingSets?.set(key, set);
      }
      const { defs, X, y, sampleWeight } = set;
      const point = options.learner().fit(X, y, { sampleWeight });
      const quantiles = new Map<number, Regressor>();
      if (options.quantileLearner) {
        for (const q of context.quantiles)
          quantiles.set(q, options.quantileLearner(q).fit(X, y, { sampleWeight }));
      }
      fitted = { defs, strategy, horizon: context.horizon, point, quantiles };
    },
    predict(timeline, h, floor = Number.NEGATIVE_INFINITY): ModelForecast {
      if (!fitted) throw new NotFittedError(name);
      if (fitted.strategy === 'direct' && h > fitted.horizon) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `a direct model trained for horizon ${fitted.horizon} cannot forecast ${h} steps.`,
        );
      }
      return fitted.strategy === 'direct'
        ? predictDirect(fitted, timeline, h)
        : predictRecursive(fitted, timeline, h, floor);
    },
    serialize() {
      if (!fitted) {
        const quantile = options.quantileLearner?.(0.5);
        const spec: GlobalModelSpec = {
          learner: name,
          params: options.learner().params,
          quantileLearner: quantile ? { learner: quantile.name, params: quantile.params } : null,
          trainWindow: options.trainWindow ?? null,
          strategy: options.strategy ?? null,
        };
        return { kind: 'global', config: { ...spec } };
      }
      const levels = [...fitted.quantiles.keys()];
      const config: GlobalModelConfig = {
        learner: name,
        strategy: fitted.strategy,
        horizon: fitted.horizon,
        quantiles: levels,
        trainWindow: options.trainWindow ?? null,
        ownStrategy: options.strategy !== undefined,
      };
      return {
        kind: 'global',
        config: { ...config },
        artifacts: [fitted.point.serialize(), ...levels.map((q) => fitted!.quantiles.get(q)!.serialize())],
      };
    },
  };
}

/** The rows a global model trains on, their features and targets (shared through `FitContext`). */
export interface TrainingSet {
  readonly defs: FeatureDefinition[];
  readonly X: FeatureMatrix;
  readonly y: Float64Array;
  readonly sampleWeight: Float64Array | undefined;
}

/** What makes two global models' training sets on one panel the same: their lags and window. */
function trainingSetKey(minLag: number, trainWindow: number | undefined): string {
  return `${minLag}/${trainWindow ?? 'all'}`;
}

function trainingSet(
  panel: Panel,
  features: FeatureConfig,
  minLag: number,
  trainWindow: number | undefined,
): TrainingSet {
  const defs = buildFeatureSet(panel, features, minLag);
  const rows = trainingRows(panel, trainWindow ?? Number.POSITIVE_INFINITY);
  if (rows.length === 0) throw new SalescastError('INVALID_DATA', 'no observed target to train on.');
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = panel.y[rows[i]];
  return {
    defs,
    X: computeBatch(panel, defs, rows),
    y,
    sampleWeight: panel.weight ? Float64Array.from(rows, (r) => panel.weight![r]) : undefined,
  };
}

/** Rows of the last `window` periods of each series with an observed target and positive weight. */
function trainingRows(panel: Panel, window: number): Int32Array {
  const rows: number[] = [];
  for (let s = 0; s < seriesCount(panel); s++) {
    const end = panel.offsets[s + 1];
    for (let r = Math.max(panel.offsets[s], end - window); r < end; r++) {
      if (!Number.isNaN(panel.y[r]) && (!panel.weight || panel.weight[r] > 0)) rows.push(r);
    }
  }
  return Int32Array.from(rows);
}

function predictDirect(fitted: Fitted, timeline: Panel, h: number): ModelForecast {
  const nSeries = seriesCount(timeline);
  const rows = new Int32Array(nSeries * h);
  for (let s = 0; s < nSeries; s++) {
    const start = timeline.offsets[s] + historyLength(timeline, s, h);
    for (let k = 0; k < h; k++) rows[s * h + k] = start + k;
  }
  const X = computeBatch(timeline, fitted.defs, rows);
  const quantiles = new Map<number, Float64Array>();
  for (const [q, learner] of fitted.quantiles) quantiles.set(q, learner.predict(X));
  return { yhat: fitted.point.predict(X), quantiles: quantiles.size > 0 ? quantiles : undefined };
}

function predictRecursive(fitted: Fitted, timeline: Panel, h: number, floor: number): ModelForecast {
  const nSeries = seriesCount(timeline);
  const nCols = fitted.defs.length;
  // Forecasts are written into a copy of the target, where later steps read them as lags.
  const work: Panel = { ...timeline, y: Float64Array.from(timeline.y) };
  // Panel-level columns (target encodings) are prepared once from the history: later steps'
  // forecasts do not feed them, which keeps them on observed targets.
  const exog = numericExog(work, fitted.defs);
  const views = Array.from({ length: nSeries }, (_, s) => seriesView(work, s, exog));
  const yhat = new Float64Array(nSeries * h);
  const quantiles = new Map<number, Float64Array>();
  for (const q of fitted.quantiles.keys()) quantiles.set(q, new Float64Array(nSeries * h));
  const data = new Float64Array(nSeries * nCols);
  const row = new Float64Array(nCols);
  for (let k = 0; k < h; k++) {
    for (let s = 0; s < nSeries; s++) {
      computeOnline(views[s], historyLength(timeline, s, h) + k, fitted.defs, row);
      for (let j = 0; j < nCols; j++) data[j * nSeries + s] = row[j];
    }
    const X = matrixMeta(data, nSeries, fitted.defs);
    const step = fitted.point.predict(X);
    for (let s = 0; s < nSeries; s++) {
      const value = Math.max(floor, step[s]);
      yhat[s * h + k] = value;
      views[s].y[historyLength(timeline, s, h) + k] = value;
    }
    for (const [q, learner] of fitted.quantiles) {
      const qs = learner.predict(X);
      const out = quantiles.get(q)!;
      for (let s = 0; s < nSeries; s++) out[s * h + k] = qs[s];
    }
  }
  return { yhat, quantiles: quantiles.size > 0 ? quantiles : undefined };
}
