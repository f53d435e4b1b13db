/**
 * Ready-made forecaster configurations, one per `--model` choice of the CLI. The global learners
 * share one feature set and a price-neutral, level-normalised target (each row divided by its
 * product's price response, each series by its recent mean), so one model learns the shapes of
 * series of any size and a what-if on prices moves each product by its own elasticity; the direct strategy keeps every forecast step
 * on observed lags. 'auto' ensembles the global gradient boosting with a seasonal ETS (STL + ETS,
 * R's stlf), weighted by backtest error: on weekly retail data the two are complementary, on daily
 * data the selection usually keeps the boosting alone. When the target is never negative and no
 * loss is chosen, 'auto' also fits a Tweedie-loss boosting (the M5 winners' choice for intermittent
 * sales): the backtest weights pick the loss that fits the data (Tweedie alone on the demo
 * retailer, a 60/40 blend with squared error on store-item). 'ensemble' does the same over every
 * family (slower).
 */
import type { Frequency } from '../core/dates.js';
import type { GradientBoostingParams } from '../ml/gradient-boosting.js';
import { GradientBoosting, RandomForest, Ridge } from '../ml/index.js';
import type { RandomForestParams } from '../ml/random-forest.js';
import type { ForecasterOptions } from './forecaster.js';
import { globalModel } from './global-model.js';
import { autoEtsModel, movingAverageModel, seasonalNaiveModel } from './local-models.js';
import type { ModelFactory, Strategy } from './model.js';
import { priceResponseTransform } from './price-response.js';
import { levelTransform } from './target-transforms.js';

export const MODEL_CHOICES = ['auto', 'gbm', 'rf', 'linear', 'ets', 'naive', 'average', 'ensemble'] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

export const GBM_LOSSES = ['squared', 'poisson', 'tweedie'] as const;
export type GbmLoss = (typeof GBM_LOSSES)[number];

/** The main season of a frequency: a week of days, a year of weeks. */
export function defaultSeason(freq: Frequency): number {
  return freq === 'week' ? 52 : 7;
}

/** Gradient-boosting parameters for forecasting; `overrides` come from the caller or from tuning. */
export function gbmParams(overrides: Partial<GradientBoostingParams> = {}): Partial<GradientBoostingParams> {
  return {
    nEstimators: 300,
    learningRate: 0.05,
    maxLeaves: 31,
    minDataInLeaf: 20,
    subsample: 0.8,
    colsampleByTree: 0.8,
    lambdaL2: 1,
    seed: 0,
    // One thread: the shared histogram worker pool of src/ml hung (every thread asleep) under heavy
    // machine load while this was written, and a forecaster fits its models one after another.
    nThreads: 1,
    ...overrides,
  };
}

/** Random-forest parameters for forecasting. */
export function rfParams(overrides: Partial<RandomForestParams> = {}): Partial<RandomForestParams> {
  return {
    nEstimators: 60,
    maxLeaves: 255,
    minDataInLeaf: 10,
    maxFeatures: 0.5,
    subsample: 0.5,
    seed: 0,
    ...overrides,
  };
}

/**
 * Training rows of a global model: two years of a daily panel (features still read older lags),
 * everything of a weekly one.
 */
export function defaultTrainWindow(freq: Frequency): number | undefined {
  return freq === 'day' ? 730 : undefined;
}

export interface PresetOptions {
  readonly freq: Frequency;
  readonly quantiles?: readonly number[];
  readonly strategy?: Strategy;
  readonly seed?: number;
  /**
   * Loss of the gradient boosting; default squared (on the level-normalised target), and for 'auto'
   * and 'ensemble' on a never-negative target, squared and Tweedie side by side.
   */
  readonly loss?: GbmLoss;
  /** The training target is never negative (so a Tweedie loss applies). */
  readonly nonNegative?: boolean;
  /**
   * How quantiles are made: 'conformal' (default) or 'quantile-loss', where the gradient boosting
   * also fits one quantile-loss model per level (the other models stay conformal).
   */
  readonly intervalMethod?: 'conformal' | 'quantile-loss';
}

/** The forecaster options for `choice`. */
export function presetOptions(choice: ModelChoice, options: PresetOptions): ForecasterOptions {
  const season = defaultSeason(options.freq);
  const seed = options.seed ?? 0;
  const trainWindow = defaultTrainWindow(options.freq);
  const shared = {
    freq: options.freq,
    quantiles: options.quantiles,
    strategy: options.strategy ?? 'direct',
    // Off in the presets: on store-item data they cost 0.002 WAPE (two seeds); AutoML searches them.
    targetEncodings: false,
    intervalMethod: options.intervalMethod ?? 'conformal',
    // The price response goes first (it reads each row's prices); it does nothing without price drivers.
    targetTransforms: () => [priceResponseTransform(), levelTransform(options.freq === 'week' ? 8 : 28)],
  } satisfies Partial<ForecasterOptions>;
  const quantileLoss = options.intervalMethod === 'quantile-loss';
  const boosting =
    (loss: GradientBoostingParams['loss']): ModelFactory =>
    () =>
      globalModel({
        learner: () => new GradientBoosting(gbmParams({ seed, loss })),
        quantileLearner: quantileLoss
          ? (alpha) => new GradientBoosting(gbmParams({ seed, loss: 'quantile', alpha }))
          : undefined,
        trainWindow,
      });
  const gbm = boosting(options.loss ?? 'squared');
  const rf: ModelFactory = () =>
    globalModel({ learner: () => new RandomForest(rfParams({ seed })), trainWindow });
  const linear: ModelFactory = () => globalModel({ learner: () => new Ridge({ alpha: 1 }), trainWindow });
  const models: Record<string, ModelFactory> = {};
  const boostingMembers = (into: Record<string, ModelFactory>) => {
    into.gbm = gbm;
    if (options.loss === undefined && options.nonNegative) into.gbm_tweedie = boosting('tweedie');
  };
  switch (choice) {
    case 'gbm':
      models.gbm = gbm;
      break;
    case 'rf':
      models.rf = rf;
      break;
    case 'linear':
      models.linear = linear;
      break;
    case 'ets':
      models.ets = () => autoEtsModel(season);
      break;
    case 'naive':
      models.naive = () => seasonalNaiveModel(season);
      break;
    case 'average':
      models.average = () => movingAverageModel(season);
      break;
    case 'auto':
      boostingMembers(models);
      models.ets = () => autoEtsModel(season);
      return { ...shared, models, ensemble: true };
    case 'ensemble':
      boostingMembers(models);
      models.rf = rf;
      models.linear = linear;
      models.ets = () => autoEtsModel(season);
      models.naive = () => seasonalNaiveModel(season);
      return { ...shared, models, ensemble: true };
  }
  return { ...shared, models };
}
