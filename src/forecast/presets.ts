/**
 * Ready-made forecaster configurations, one per `--model` choice of the CLI. The global learners
 * share one feature set and a price-neutral, level-normalised target (each row divided by its
 * product's price response, each series by its recent mean), so one model learns the shapes of
 * series of any size and a what-if on prices moves each product by its own elasticity; the direct
 * strategy keeps every forecast step on observed lags.
 *
 * 'auto' ensembles gradient boostings (and, on small panels, a seasonal ETS: STL + ETS, R's stlf)
 * weighted by backtest error, and sizes them to the panel:
 * - a small panel (under LARGE_PANEL_ROWS training rows) gets the direct boostings of `gbm`, a
 *   squared-error one and, when the target is never negative, a Tweedie one (the M5 winners' choice
 *   for intermittent sales) with a recursive Tweedie one beside it, plus ETS. On weekly retail data
 *   ETS and the boosting are complementary. (Smaller trees are not always better there: 15 leaves
 *   instead of 31 took store 1 of the store-item data from 0.1157 to 0.1153 WAPE, but the demo
 *   retailer from 0.472 to 0.480.)
 * - a large panel forecasts recursively with a deep one-step boosting (255 leaves, 400 trees), beside
 *   the direct Tweedie and direct 31-leaf squared-error boostings, each with its own strategy. On
 *   Rossmann the direct strategy's loss of every lag under the horizon and the small trees' bias
 *   both cost accuracy: on 278 stores (H = 42) the direct 31-leaf boosting scores 0.0871,
 *   recursive 0.0839, recursive with 255 leaves and 400 trees 0.0802 (a global XGBoost, recursive,
 *   depth 8: 0.0826). On the 500 simulated store-item series the deep member alone took 'auto' from
 *   0.1072 to 0.1077; with the direct members beside it the weights give 0.1072 there and 0.0808 on
 *   all of Rossmann (0.087 with direct members only; docs/FORECASTING.md has the windows these
 *   were measured on). ETS, far behind on such panels (0.24 WAPE against 0.09 on Rossmann, 0.19
 *   against 0.11 on store-item), is left out.
 *
 * 'ensemble' does the same over every family (slower).
 */
import type { Frequency } from '../core/dates.js';
import { type Panel, seriesCount } from '../features/panel.js';
import type { GradientBoostingParams } from '../ml/gradient-boosting.js';
import { GradientBoosting, RandomForest, Ridge } from '../ml/index.js';
import type { RandomForestParams } from '../ml/random-forest.js';
import type { ForecasterOptions } from './forecaster.js';
import { globalModel } from './global-model.js';
import { autoEtsModel, movingAverageModel, mstlModel, seasonalNaiveModel } from './local-models.js';
import type { ModelFactory, Strategy } from './model.js';
import { priceResponseTransform } from './price-response.js';
import { levelTransform } from './target-transforms.js';

export const MODEL_CHOICES = [
  'auto',
  'gbm',
  'rf',
  'linear',
  'ets',
  'mstl',
  'naive',
  'average',
  'ensemble',
] as const;
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
    // One thread unless the caller asks for more (`PresetOptions.threads`).
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
    nThreads: 1,
    ...overrides,
  };
}

/**
 * The seasonal periods `--model mstl` decomposes: week and year of a daily series (retail sales
 * carry both), the year of a weekly one. A period without two full cycles in a series' history is
 * dropped for that series.
 */
export function mstlPeriods(freq: Frequency): number[] {
  return freq === 'week' ? [52] : [7, 365];
}

/**
 * Training rows of a global model: two years of a daily panel (features still read older lags),
 * everything of a weekly one.
 */
export function defaultTrainWindow(freq: Frequency): number | undefined {
  return freq === 'day' ? 730 : undefined;
}

/**
 * Training rows from which 'auto' treats a panel as large (deep recursive boosting, no ETS): between
 * store 1 of the store-item data (36,500 rows, where deep trees overfit) and 278 Rossmann stores
 * (195,000 rows, where they win).
 */
export const LARGE_PANEL_ROWS = 150_000;

/** The deep one-step boosting of 'auto' on large panels. */
const DEEP_GBM: Partial<GradientBoostingParams> = { maxLeaves: 255, nEstimators: 400 };

/**
 * Rows a global model of `panel` trains on: observed targets in each series' last `window` periods
 * (all of them when `window` is undefined), as `globalModel`'s training window counts them.
 */
export function trainingRowCount(panel: Panel, window: number | undefined): number {
  let n = 0;
  for (let s = 0; s < seriesCount(panel); s++) {
    const end = panel.offsets[s + 1];
    for (let r = Math.max(panel.offsets[s], end - (window ?? end)); r < end; r++) {
      if (!Number.isNaN(panel.y[r])) n++;
    }
  }
  return n;
}

export interface PresetOptions {
  readonly freq: Frequency;
  readonly quantiles?: readonly number[];
  /** Default: recursive for 'auto' on a large panel, direct otherwise. */
  readonly strategy?: Strategy;
  readonly seed?: number;
  /**
   * Loss of the gradient boosting; default squared (on the level-normalised target), and for 'auto'
   * and 'ensemble' on a never-negative target, squared and Tweedie side by side.
   */
  readonly loss?: GbmLoss;
  /** The training target is never negative (so a Tweedie loss applies). */
  readonly nonNegative?: boolean;
  /** Rows the global models train on (`trainingRowCount`); 'auto' sizes its members by it. Default 0. */
  readonly trainingRows?: number;
  /**
   * How quantiles are made: 'conformal' (default) or 'quantile-loss', where the gradient boosting
   * also fits one quantile-loss model per level (the other models stay conformal).
   */
  readonly intervalMethod?: 'conformal' | 'quantile-loss';
  /**
   * Threads each tree learner builds its histograms on. Default 1, so that training in the API
   * process (a scheduled retrain, by default) leaves the other cores to serving; the CLI uses every
   * core. The forecasts are the same for any count: each feature's histogram is summed by one
   * thread, in row order. Two threads cut the demo's `--model gbm` from 21.5 to 17.2 s of wall time
   * on two cores, at the same CPU time.
   */
  readonly threads?: number;
}

/** The forecaster options for `choice`. */
export function presetOptions(choice: ModelChoice, options: PresetOptions): ForecasterOptions {
  const season = defaultSeason(options.freq);
  const seed = options.seed ?? 0;
  const nThreads = options.threads ?? 1;
  const trainWindow = defaultTrainWindow(options.freq);
  const large = choice === 'auto' && (options.trainingRows ?? 0) >= LARGE_PANEL_ROWS;
  const shared = {
    freq: options.freq,
    quantiles: options.quantiles,
    strategy: options.strategy ?? (large ? 'recursive' : 'direct'),
    // Off in the presets: on store-item data they cost 0.002 WAPE (two seeds); AutoML searches them.
    targetEncodings: false,
    intervalMethod: options.intervalMethod ?? 'conformal',
    // The price response goes first (it reads each row's prices); it does nothing without price drivers.
    targetTransforms: () => [priceResponseTransform(), levelTransform(options.freq === 'week' ? 8 : 28)],
  } satisfies Partial<ForecasterOptions>;
  const quantileLoss = options.intervalMethod === 'quantile-loss';
  const boosting =
    (
      loss: GradientBoostingParams['loss'],
      size: Partial<GradientBoostingParams> = {},
      strategy?: Strategy,
    ): ModelFactory =>
    () =>
      globalModel({
        strategy,
        learner: () => new GradientBoosting(gbmParams({ ...size, seed, loss, nThreads })),
        quantileLearner: quantileLoss
          ? (alpha) => new GradientBoosting(gbmParams({ ...size, seed, loss: 'quantile', alpha, nThreads }))
          : undefined,
        trainWindow,
      });
  const gbm = boosting(options.loss ?? 'squared');
  const rf: ModelFactory = () =>
    globalModel({ learner: () => new RandomForest(rfParams({ seed, nThreads })), trainWindow });
  const linear: ModelFactory = () => globalModel({ learner: () => new Ridge({ alpha: 1 }), trainWindow });
  const tweedie = options.loss === undefined && options.nonNegative;
  const models: Record<string, ModelFactory> = {};
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
      models.ets = () => autoEtsModel(season, trainWindow);
      break;
    case 'mstl':
      models.mstl = () => mstlModel(mstlPeriods(options.freq));
      break;
    case 'naive':
      models.naive = () => seasonalNaiveModel(season);
      break;
    case 'average':
      models.average = () => movingAverageModel(season);
      break;
    case 'auto': {
      models.gbm = large ? boosting(options.loss ?? 'squared', DEEP_GBM) : gbm;
      // The Tweedie member keeps the default 31 leaves on a large panel too: deep Tweedie trees
      // gain little there (0.0819 against 0.0823 WAPE on the 278 Rossmann stores) at 2.4 times the CPU.
      // It forecasts directly there, as on small panels: beside the deep recursive member it took
      // 'auto' on all of Rossmann from 0.0830 to 0.0808 WAPE (0.08792 to 0.08787 on the six weeks
      // before), on store-item from 0.10737 to 0.10722 (0.09629 to 0.09638 the 90 days before).
      if (tweedie) models.gbm_tweedie = boosting('tweedie', {}, large ? 'direct' : undefined);
      // Beside the recursive members, the direct boosting of small panels: the backtest weights
      // pick what each large panel rewards.
      if (large) models.gbm_direct = boosting(options.loss ?? 'squared', {}, 'direct');
      // And beside the direct members of a small panel, a recursive Tweedie one: on store 1 of the
      // store-item data it took 'auto' from 0.11577 to 0.11516 WAPE and on walmart45 from 0.0264 to
      // 0.0258; the demo retailer's weights leave it out (0.473 either way). It costs about a third
      // more CPU. A recursive squared-error member beside it gained nothing more.
      if (!large && tweedie && shared.strategy === 'direct')
        models.gbm_tweedie_recursive = boosting('tweedie', {}, 'recursive');
      if (!large) models.ets = () => autoEtsModel(season, trainWindow);
      return { ...shared, models, ensemble: true };
    }
    case 'ensemble':
      models.gbm = gbm;
      if (tweedie) models.gbm_tweedie = boosting('tweedie');
      models.rf = rf;
      models.linear = linear;
      models.ets = () => autoEtsModel(season, trainWindow);
      models.naive = () => seasonalNaiveModel(season);
      return { ...shared, models, ensemble: true };
  }
  return { ...shared, models };
}
