/**
 * The artifact of a fitted Forecaster, for the model registry: its configuration and learned state
 * as JSON plus typed arrays (the history it forecasts from, conformal scores and the learners' own
 * artifacts), in the versioned container of `src/ml/serialize.ts` under the name "Forecaster".
 */
import type { Frequency } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { DateFeature } from '../features/calendar.js';
import type { LagTransformSpec } from '../features/lag-features.js';
import { type ExogColumn, isCategorical, type Panel } from '../features/panel.js';
import { type ArtifactArray, artifactArray, decodeLearnerArtifact, encodeArtifact } from '../ml/index.js';
import type { ConformalScores } from './conformal.js';
import type { SerializedModel, Strategy } from './model.js';
import type { TargetTransformJson } from './target-transforms.js';

export const FORECASTER_ARTIFACT = 'Forecaster';

/** The options of a Forecaster that are data (its models and transforms are stored separately). */
export interface ForecasterConfig {
  readonly freq?: Frequency;
  readonly lags?: readonly number[];
  readonly lagTransforms?: Readonly<Record<number, readonly LagTransformSpec[]>>;
  readonly dateFeatures?: readonly DateFeature[];
  readonly exog?: readonly string[];
  readonly seriesId?: boolean;
  readonly targetEncodings?: boolean;
  readonly strategy?: Strategy;
  readonly quantiles?: readonly number[];
  readonly intervalMethod?: 'conformal' | 'quantile-loss' | 'none';
  readonly calibrationWindows?: number;
  readonly ensemble?: boolean;
  readonly levelWindow?: number;
}

export interface ForecasterState {
  readonly config: ForecasterConfig;
  readonly horizon: number;
  readonly history: Panel;
  readonly transforms: readonly TargetTransformJson[];
  /**
   * `fitted` is false for an ensemble member the backtest gave no weight: its model holds only its
   * configuration, so that a refit weighs it again.
   */
  readonly models: readonly {
    readonly name: string;
    readonly model: SerializedModel;
    readonly fitted: boolean;
  }[];
  readonly weights: Readonly<Record<string, number>>;
  /** Conformal scores per model name. */
  readonly scores: Readonly<Record<string, ConformalScores>>;
}

type ColumnMeta =
  | { readonly kind: 'numeric' }
  | { readonly kind: 'categorical'; readonly levels: readonly string[] };

/** Encodes a fitted forecaster's state. */
export function encodeForecaster(state: ForecasterState): Uint8Array {
  const arrays: Record<string, ArtifactArray> = {
    'history.offsets': state.history.offsets,
    'history.dates': state.history.dates,
    'history.y': state.history.y,
  };
  if (state.history.weight) arrays['history.weight'] = state.history.weight;
  const columns: Record<string, ColumnMeta> = {};
  for (const [name, col] of Object.entries(state.history.exog)) {
    columns[name] = isCategorical(col) ? { kind: 'categorical', levels: col.levels } : { kind: 'numeric' };
    arrays[`history.exog.${name}`] = isCategorical(col) ? col.codes : col;
  }
  const models = state.models.map(({ name, model, fitted }) => {
    (model.artifacts ?? []).forEach((bytes, k) => {
      arrays[`model.${name}.${k}`] = bytes;
    });
    return { name, kind: model.kind, config: model.config, artifacts: model.artifacts?.length ?? 0, fitted };
  });
  const scoreSteps: Record<string, { steps: number; power: number }> = {};
  for (const [name, { byStep, power }] of Object.entries(state.scores)) {
    scoreSteps[name] = { steps: byStep.length, power };
    byStep.forEach((v, k) => {
      arrays[`scores.${name}.${k}`] = v;
    });
  }
  return encodeArtifact({
    learner: FORECASTER_ARTIFACT,
    params: { ...state.config },
    arrays,
    meta: {
      horizon: state.horizon,
      freq: state.history.freq,
      seriesIds: state.history.seriesIds,
      columns,
      transforms: state.transforms,
      models,
      weights: state.weights,
      scoreSteps,
    },
  });
}

/** Decodes a forecaster artifact; throws INVALID_ARTIFACT when it is not one or is malformed. */
export function decodeForecaster(bytes: Uint8Array): ForecasterState {
  const artifact = decodeLearnerArtifact(bytes, FORECASTER_ARTIFACT);
  const meta = artifact.meta as {
    horizon: number;
    freq: Frequency;
    seriesIds: string[];
    columns: Record<string, ColumnMeta>;
    transforms: TargetTransformJson[];
    // `fitted` is absent in artifacts written before unweighted members were left unfitted.
    models: {
      name: string;
      kind: string;
      config: Record<string, unknown>;
      artifacts: number;
      fitted?: boolean;
    }[];
    weights: Record<string, number>;
    scoreSteps: Record<string, { steps: number; power: number }>;
  };
  if (!Array.isArray(meta.seriesIds) || !Array.isArray(meta.models) || typeof meta.horizon !== 'number') {
    throw new SalescastError(
      'INVALID_ARTIFACT',
      'Invalid model artifact: the forecaster state is incomplete.',
    );
  }
  const offsets = artifactArray(artifact, 'history.offsets', Int32Array, meta.seriesIds.length + 1);
  const rows = offsets[offsets.length - 1];
  const exog: Record<string, ExogColumn> = {};
  for (const [name, col] of Object.entries(meta.columns)) {
    exog[name] =
      col.kind === 'categorical'
        ? { codes: artifactArray(artifact, `history.exog.${name}`, Int32Array, rows), levels: col.levels }
        : artifactArray(artifact, `history.exog.${name}`, Float64Array, rows);
  }
  const history: Panel = {
    freq: meta.freq,
    seriesIds: meta.seriesIds,
    offsets,
    dates: artifactArray(artifact, 'history.dates', Int32Array, rows),
    y: artifactArray(artifact, 'history.y', Float64Array, rows),
    exog,
    weight: Object.hasOwn(artifact.arrays, 'history.weight')
      ? artifactArray(artifact, 'history.weight', Float64Array, rows)
      : undefined,
  };
  const models = meta.models.map(({ name, kind, config, artifacts, fitted }) => ({
    name,
    fitted: fitted !== false,
    model: {
      kind,
      config,
      artifacts: Array.from({ length: artifacts }, (_, k) =>
        artifactArray(artifact, `model.${name}.${k}`, Uint8Array),
      ),
    },
  }));
  const scores: Record<string, ConformalScores> = {};
  for (const [name, { steps, power }] of Object.entries(meta.scoreSteps)) {
    const byStep = Array.from({ length: steps }, (_, k) =>
      artifactArray(artifact, `scores.${name}.${k}`, Float64Array),
    );
    scores[name] = { byStep, power };
  }
  return {
    config: artifact.params as ForecasterConfig,
    horizon: meta.horizon,
    history,
    transforms: meta.transforms,
    models,
    weights: meta.weights,
    scores,
  };
}
