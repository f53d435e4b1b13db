/**
 * What explanations need from a fitted Forecaster — its global models' learners and feature
 * definitions, and its target transforms with their learned state — read from the forecaster's
 * own artifact (`serialize`), so it works the same for a forecaster just fitted and for one loaded
 * from the model registry.
 */
import { SalescastError } from '../core/errors.js';
import type { FeatureDefinition } from '../features/definition.js';
import { buildFeatureSet, type FeatureConfig } from '../features/feature-set.js';
import { lagTransformFromSpec } from '../features/lag-features.js';
import { completeDrivers } from '../features/panel.js';
import type { Forecaster } from '../forecast/forecaster.js';
import { decodeForecaster } from '../forecast/forecaster-artifact.js';
import { type TargetTransform, targetTransformFromJson } from '../forecast/target-transforms.js';
import { deserializeLearner, type Regressor } from '../ml/index.js';

/** A fitted global model: its point learner and the features it reads, in column order. */
export interface FittedGlobal {
  readonly learner: Regressor;
  readonly features: readonly FeatureDefinition[];
}

export interface ForecasterInternals {
  /** Target transforms with the state learned at fit (apply with `fit = false`). */
  readonly transforms: readonly TargetTransform[];
  /**
   * The fitted global models by name; local models (ETS, naive) have no learner and are absent, as
   * are ensemble members left unfitted for having no weight.
   */
  readonly models: ReadonlyMap<string, FittedGlobal>;
  /** `Forecaster.knownDrivers`: filled where a forecast period is given none, as `predict` does. */
  readonly knownDrivers: readonly string[];
}

/** The internals of a forecaster artifact (`Forecaster.serialize()`, e.g. from the registry). */
export function internalsFromArtifact(bytes: Uint8Array): ForecasterInternals {
  const state = decodeForecaster(bytes);
  const { config } = state;
  const features: FeatureConfig = {
    lags: config.lags,
    lagTransforms: config.lagTransforms
      ? Object.fromEntries(
          Object.entries(config.lagTransforms).map(([lag, specs]) => [lag, specs.map(lagTransformFromSpec)]),
        )
      : undefined,
    dateFeatures: config.dateFeatures,
    exog: config.exog,
    seriesId: config.seriesId,
    targetEncodings: config.targetEncodings,
  };
  const models = new Map<string, FittedGlobal>();
  for (const { name, model, fitted } of state.models) {
    if (model.kind !== 'global' || !fitted) continue;
    const { strategy, horizon } = model.config as { strategy?: unknown; horizon?: unknown };
    const artifact = model.artifacts?.[0];
    if ((strategy !== 'direct' && strategy !== 'recursive') || typeof horizon !== 'number' || !artifact) {
      throw new SalescastError(
        'INVALID_ARTIFACT',
        `Invalid model artifact: global model '${name}' is incomplete.`,
      );
    }
    // The same definitions the model built at fit: same columns, configuration and lag floor.
    const minLag = strategy === 'direct' ? horizon : 1;
    models.set(name, {
      learner: deserializeLearner(artifact),
      features: buildFeatureSet(state.history, features, minLag),
    });
  }
  return {
    transforms: state.transforms.map(targetTransformFromJson),
    models,
    knownDrivers: completeDrivers(state.history),
  };
}

/** The internals of a fitted forecaster; throws NOT_FITTED before `fit`. */
export function forecasterInternals(forecaster: Forecaster): ForecasterInternals {
  return internalsFromArtifact(forecaster.serialize());
}
