/**
 * The one interface behind which every model family sits: baselines, per-series statistical models
 * and global learners. A forecaster fits models on a (target-transformed) panel and asks each for
 * point forecasts on a timeline: every series' history followed by `h` future rows that carry the
 * known drivers and NaN targets.
 */
import type { FeatureConfig } from '../features/feature-set.js';
import type { Panel } from '../features/panel.js';
import type { TrainingSet } from './global-model.js';

export type Strategy = 'recursive' | 'direct';

/** What the forecaster tells a model at fit time. */
export interface FitContext {
  /** The longest horizon the model will be asked for (the direct strategy trains for it). */
  readonly horizon: number;
  /** Feature configuration shared by the forecaster's global models. */
  readonly features: FeatureConfig;
  readonly strategy: Strategy;
  /** Quantile levels wanted from models that learn quantiles themselves (quantile loss). */
  readonly quantiles: readonly number[];
  /**
   * The training sets global models have computed from this fit's panel, by their features and
   * window (`trainingSetKey`): the members of an ensemble that train on the same rows of the same
   * features (the direct squared-error and Tweedie boostings, fitted one after the other) compute
   * them once. Absent, each model computes its own.
   */
  readonly trainingSets?: Map<string, TrainingSet>;
}

/** Point and (optional) model-native quantile forecasts, series-major: value (s, k) at `s * h + k`. */
export interface ModelForecast {
  readonly yhat: Float64Array;
  /** Present only for models that learn quantiles (quantile-loss learners). */
  readonly quantiles?: ReadonlyMap<number, Float64Array>;
}

export interface ForecastModel {
  /** Family name, e.g. "SeasonalNaive" or "GradientBoosting". */
  readonly name: string;
  fit(panel: Panel, context: FitContext): void;
  /**
   * Forecasts the `h` rows that follow each series' history in `timeline` (each series of the
   * timeline ends with exactly `h` future rows). Throws NotFittedError before `fit`. A model that
   * feeds its own forecasts back as inputs (recursive) raises them to `floor` first, so later steps
   * read the values the forecaster will report (the target transforms keep 0 at 0).
   */
  predict(timeline: Panel, h: number, floor?: number): ModelForecast;
  /**
   * JSON-plus-bytes state for `Forecaster.serialize`; before `fit`, the configuration a restore
   * needs to fit the same model (an ensemble member with no weight is stored that way).
   */
  serialize(): SerializedModel;
}

export interface SerializedModel {
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Learner artifacts, when the model wraps learners. */
  readonly artifacts?: readonly Uint8Array[];
}

/** Builds a fresh, unfitted model (backtests fit one per refit). */
export type ModelFactory = () => ForecastModel;

/** The history length of series `s` of a timeline that ends with `h` future rows. */
export function historyLength(timeline: Panel, s: number, h: number): number {
  return timeline.offsets[s + 1] - timeline.offsets[s] - h;
}
