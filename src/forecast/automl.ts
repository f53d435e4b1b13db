/**
 * AutoML: random search with successive halving over each model family's search space, scored by
 * rolling-origin backtest WAPE and seeded. Rung r backtests the surviving candidates on the last
 * r + 1 windows (a larger budget), then keeps the best 1/eta; the best candidate of the last rung
 * wins. Every evaluation is kept in the leaderboard.
 */
import type { Frequency } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { type Panel, seriesCount, seriesLength } from '../features/panel.js';
import {
  GradientBoosting,
  type GradientBoostingParams,
  RandomForest,
  type RandomForestParams,
  Ridge,
} from '../ml/index.js';
import { Forecaster, type ForecasterOptions } from './forecaster.js';
import { globalModel } from './global-model.js';
import { autoEtsModel, movingAverageModel, mstlModel, seasonalNaiveModel } from './local-models.js';
import { wape } from './metrics.js';
import type { ModelFactory, Strategy } from './model.js';
import { defaultSeason, defaultTrainWindow, gbmParams, mstlPeriods, rfParams } from './presets.js';
import { priceResponseTransform } from './price-response.js';
import { levelTransform, log1pTransform } from './target-transforms.js';

export const AUTOML_FAMILIES = ['gbm', 'rf', 'linear', 'ets', 'mstl', 'naive', 'average'] as const;
export type AutoMlFamily = (typeof AUTOML_FAMILIES)[number];

/** One point of a search space: the family, its hyperparameters and the forecaster-level choices. */
export interface Candidate {
  readonly id: number;
  readonly family: AutoMlFamily;
  readonly params: Readonly<Record<string, number | string>>;
  readonly strategy: Strategy;
  readonly transform: 'level' | 'log1p';
  /** Whether global models get target encodings of the categorical drivers. */
  readonly targetEncodings: boolean;
}

export interface LeaderboardEntry {
  readonly candidate: Candidate;
  /** Successive-halving rung (0 = first, cheapest). */
  readonly rung: number;
  /** Backtest windows the score covers. */
  readonly windows: number;
  /** Infinity when the candidate failed; `error` then says why. */
  readonly wape: number;
  readonly error?: string;
}

export interface AutoMlOptions {
  readonly h: number;
  /** Candidates drawn at random (each family's fixed models count once). Default 12. */
  readonly trials?: number;
  readonly families?: readonly AutoMlFamily[];
  /** Keep the best 1/eta of each rung; default 3. */
  readonly eta?: number;
  /** Windows of the last rung; default 3. */
  readonly maxWindows?: number;
  readonly seed?: number;
  /** Threads of each tree learner (`PresetOptions.threads`); default 1. */
  readonly threads?: number;
}

export interface AutoMlResult {
  readonly best: Candidate;
  /** Forecaster options of the best candidate (add quantiles and intervals to use them). */
  readonly options: ForecasterOptions;
  /** Every evaluation, best first within the highest rung reached. */
  readonly leaderboard: readonly LeaderboardEntry[];
}

type Space = Readonly<Record<string, readonly (number | string)[]>>;

/** Hyperparameter grids sampled by the random search. */
const SPACES: Readonly<Record<AutoMlFamily, Space>> = {
  gbm: {
    nEstimators: [100, 200, 400],
    learningRate: [0.03, 0.05, 0.1, 0.2],
    maxLeaves: [15, 31, 63],
    minDataInLeaf: [10, 20, 50],
    subsample: [0.6, 0.8, 1],
    colsampleByTree: [0.6, 0.8, 1],
    lambdaL2: [0, 1, 10],
    loss: ['squared', 'poisson', 'tweedie'],
  },
  rf: { nEstimators: [30, 60], maxLeaves: [63, 255], maxFeatures: [0.3, 0.5, 0.8], minDataInLeaf: [5, 20] },
  linear: { alpha: [0.1, 1, 10, 100] },
  ets: {},
  mstl: {},
  naive: {},
  average: {},
};

/** Families whose search space is a single model: one candidate each, never sampled twice. */
const FIXED: ReadonlySet<AutoMlFamily> = new Set(['ets', 'mstl', 'naive', 'average']);

/** Draws the candidates: every fixed family once, then random points of the learners' spaces. */
export function sampleCandidates(families: readonly AutoMlFamily[], trials: number, rng: Rng): Candidate[] {
  const out: Candidate[] = [];
  for (const family of families) {
    if (FIXED.has(family)) {
      out.push({
        id: out.length,
        family,
        params: {},
        strategy: 'direct',
        transform: 'level',
        targetEncodings: false,
      });
    }
  }
  const learners = families.filter((f) => !FIXED.has(f));
  const draws = learners.length === 0 ? 0 : Math.max(learners.length, trials - out.length);
  for (let k = 0; k < draws; k++) {
    const family = learners[k % learners.length];
    const params: Record<string, number | string> = {};
    for (const [name, values] of Object.entries(SPACES[family]))
      params[name] = values[rng.int(values.length)];
    out.push({
      id: out.length,
      family,
      params,
      strategy: rng.next() < 0.5 ? 'direct' : 'recursive',
      transform: rng.next() < 0.75 ? 'level' : 'log1p',
      targetEncodings: rng.next() < 0.5,
    });
  }
  return out;
}

/** The forecaster options of a candidate (point forecasts only). */
export function candidateOptions(
  candidate: Candidate,
  freq: Frequency,
  seed: number,
  nThreads = 1,
): ForecasterOptions {
  const season = defaultSeason(freq);
  const trainWindow = defaultTrainWindow(freq);
  const p = candidate.params;
  let model: ModelFactory;
  switch (candidate.family) {
    case 'gbm':
      model = () =>
        globalModel({
          learner: () =>
            new GradientBoosting(gbmParams({ ...p, seed, nThreads } as Partial<GradientBoostingParams>)),
          trainWindow,
        });
      break;
    case 'rf':
      model = () =>
        globalModel({
          learner: () => new RandomForest(rfParams({ ...p, seed, nThreads } as Partial<RandomForestParams>)),
          trainWindow,
        });
      break;
    case 'linear':
      model = () => globalModel({ learner: () => new Ridge({ alpha: Number(p.alpha) }), trainWindow });
      break;
    // The statistical models as the presets build them: ETS on the learners' training window,
    // MSTL over the week and the year of daily data.
    case 'ets':
      model = () => autoEtsModel(season, trainWindow);
      break;
    case 'mstl':
      model = () => mstlModel(mstlPeriods(freq));
      break;
    case 'naive':
      model = () => seasonalNaiveModel(season);
      break;
    case 'average':
      model = () => movingAverageModel(season);
      break;
  }
  const transform = candidate.transform;
  return {
    models: { [candidate.family]: model },
    freq,
    strategy: candidate.strategy,
    targetEncodings: candidate.targetEncodings,
    quantiles: [],
    // As in the presets, the price response comes first; the search varies the scale transform.
    targetTransforms: () => [
      priceResponseTransform(),
      transform === 'log1p' ? log1pTransform() : levelTransform(freq === 'week' ? 8 : 28),
    ],
  };
}

/**
 * Runs the search on `panel` for horizon `h`. Deterministic for a given seed (learners are seeded
 * with it too).
 */
export function autoMl(panel: Panel, options: AutoMlOptions): AutoMlResult {
  const seed = options.seed ?? 0;
  const threads = options.threads ?? 1;
  const eta = options.eta ?? 3;
  const maxWindows = options.maxWindows ?? 3;
  const requested = options.families ?? ['gbm', 'rf', 'linear', 'ets', 'mstl', 'naive'];
  const families = requested.filter(
    (f) => !(f === 'mstl' && requested.includes('ets') && mstlRepeatsEts(panel)),
  );
  if (!(eta >= 2) || !(maxWindows >= 1)) {
    throw new SalescastError('INVALID_ARGUMENT', 'AutoML needs eta ≥ 2 and at least one window.');
  }
  let alive = sampleCandidates(families, options.trials ?? 12, createRng(seed));
  const leaderboard: LeaderboardEntry[] = [];
  for (let rung = 0; ; rung++) {
    const windows = Math.min(maxWindows, rung + 1);
    const scored = alive.map((candidate) => {
      const forecasterOptions = candidateOptions(candidate, panel.freq, seed, threads);
      const entry = evaluate(candidate, forecasterOptions, panel, { h: options.h, windows, rung });
      leaderboard.push(entry);
      return entry;
    });
    scored.sort((a, b) => a.wape - b.wape || a.candidate.id - b.candidate.id);
    if (windows === maxWindows || scored.length === 1) {
      const best = scored[0].candidate;
      const ranked = [...leaderboard].sort((a, b) => b.rung - a.rung || a.wape - b.wape);
      return { best, options: candidateOptions(best, panel.freq, seed, threads), leaderboard: ranked };
    }
    alive = scored.slice(0, Math.max(1, Math.ceil(scored.length / eta))).map((e) => e.candidate);
  }
}

/**
 * Whether MSTL would fit the model ETS fits: when no series covers two cycles of a period beside
 * the season (weekly data has none; a daily panel shorter than two years drops the year), MSTL
 * decomposes the season alone, over a history no longer than ETS's training window.
 */
function mstlRepeatsEts(panel: Panel): boolean {
  const season = defaultSeason(panel.freq);
  let longest = 0;
  for (let s = 0; s < seriesCount(panel); s++) longest = Math.max(longest, seriesLength(panel, s));
  return mstlPeriods(panel.freq).every((p) => p === season || longest < 2 * p);
}

/**
 * Backtests one candidate, whose forecaster options are `forecasterOptions`, over `windows` windows
 * of `h` at rung `rung`. A candidate that cannot train on this data (e.g. a Poisson loss on a
 * negative target) or forecasts non-finite values ranks last, with the reason recorded.
 */
function evaluate(
  candidate: Candidate,
  forecasterOptions: ForecasterOptions,
  panel: Panel,
  { h, windows, rung }: { h: number; windows: number; rung: number },
): LeaderboardEntry {
  try {
    const forecaster = new Forecaster(forecasterOptions);
    const cv = forecaster.crossValidation(panel, { h, nWindows: windows });
    const score = wape(cv.y, cv.models[candidate.family].yhat);
    if (Number.isFinite(score)) return { candidate, rung, windows, wape: score };
    return { candidate, rung, windows, wape: Number.POSITIVE_INFINITY, error: 'non-finite forecasts' };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { candidate, rung, windows, wape: Number.POSITIVE_INFINITY, error };
  }
}
