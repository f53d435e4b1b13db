/**
 * Test support: a forecaster fitted on a small daily demo retailer, with its probe internals, so
 * explanation tests share one realistic fit per file.
 */
import { type DemoRetailer, generateDemoRetailer } from '../../data/demo/generate.js';
import { buildFeatureSet, type FeatureConfig } from '../../features/feature-set.js';
import { rollingMean } from '../../features/lag-features.js';
import { type Panel, panelThrough } from '../../features/panel.js';
import { Forecaster } from '../../forecast/forecaster.js';
import { globalModel } from '../../forecast/global-model.js';
import type { Strategy } from '../../forecast/model.js';
import { priceResponseTransform } from '../../forecast/price-response.js';
import { levelTransform } from '../../forecast/target-transforms.js';
import { GradientBoosting } from '../../ml/index.js';
import { type ForecasterInternals, forecasterInternals } from '../forecaster-internals.js';
import { priceMonotoneConstraints } from '../price-monotonicity.js';
import { demoPanel } from './demo-panel.js';

export interface DemoFit {
  readonly retailer: DemoRetailer;
  /** The whole panel: actuals and every driver (the future drivers of the forecast). */
  readonly panel: Panel;
  /** The panel up to `h` days before its end: what the forecaster was fitted on. */
  readonly history: Panel;
  readonly h: number;
  readonly forecaster: Forecaster;
  readonly internals: ForecasterInternals;
}

export interface DemoFitOptions {
  readonly stores: number;
  readonly products: number;
  readonly days: number;
  readonly seed?: number;
  readonly h: number;
  readonly strategy: Strategy;
  readonly trees: number;
  /**
   * 'compact': lags 7/14/28, one rolling mean, price/promotion/holiday/weather drivers only and no
   * target encodings (fewer features that can absorb a price effect); 'full': the feature engine's
   * defaults.
   */
  readonly features: 'compact' | 'full';
  readonly quantiles?: readonly number[];
  /** Default 'squared'; 'poisson' (log link) makes price and promotion effects multiplicative. */
  readonly loss?: 'squared' | 'poisson';
  /** Default 0.05. */
  readonly learningRate?: number;
  /** Take a per-product price response out of the target first (`priceResponseTransform`); default false. */
  readonly priceResponse?: boolean;
}

const COMPACT: FeatureConfig = {
  lags: [7, 14, 28],
  lagTransforms: { 7: [rollingMean(28)] },
  exog: ['discount_pct', 'paid_price', 'on_promo', 'promo_type', 'is_holiday', 'temp_c'],
  targetEncodings: false,
};

/** Generates the demo retailer, fits a level-normalised GBM forecaster with monotone price constraints. */
export function fitDemoForecaster(options: DemoFitOptions): DemoFit {
  const retailer = generateDemoRetailer({
    stores: options.stores,
    products: options.products,
    days: options.days,
    seed: options.seed ?? 42,
  });
  const panel = demoPanel(retailer);
  let end = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < panel.seriesIds.length; s++) end = Math.max(end, panel.dates[panel.offsets[s + 1] - 1]);
  const history = panelThrough(panel, end - options.h);
  const features = options.features === 'compact' ? COMPACT : {};
  const minLag = options.strategy === 'direct' ? options.h : 1;
  const names = buildFeatureSet(history, features, minLag).map((d) => d.name);
  const forecaster = new Forecaster({
    models: {
      gbm: () =>
        globalModel({
          learner: () =>
            new GradientBoosting({
              nEstimators: options.trees,
              learningRate: options.learningRate ?? 0.05,
              loss: options.loss ?? 'squared',
              maxLeaves: 15,
              minDataInLeaf: 20,
              monotoneConstraints: priceMonotoneConstraints(names),
              nThreads: 1,
            }),
        }),
    },
    ...features,
    strategy: options.strategy,
    targetTransforms: () => [
      ...(options.priceResponse ? [priceResponseTransform()] : []),
      levelTransform(28),
    ],
    quantiles: options.quantiles ?? [0.1, 0.5, 0.9],
    calibrationWindows: 1,
  }).fit(history, { h: options.h });
  return { retailer, panel, history, h: options.h, forecaster, internals: forecasterInternals(forecaster) };
}
