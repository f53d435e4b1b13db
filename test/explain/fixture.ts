/**
 * Test support for the explanation surface: a small demo retailer written as source files,
 * ingested for real into a panel, and a forecaster fitted on the panel up to a cutoff and saved as
 * an artifact, so the commands read the same files a user's would and the routes serve the same
 * forecaster. Kept small (2 stores × 3 products × 200 days, 40 trees) so a file's setup takes ~2 s.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDay } from '../../src/core/dates.js';
import { writeFileAtomic } from '../../src/data/atomic-write.js';
import { type DemoRetailer, generateDemoRetailer } from '../../src/data/demo/generate.js';
import { writeDemoRetailer } from '../../src/data/demo/writers.js';
import { ingestSources } from '../../src/data/ingest/index.js';
import { priceMonotoneConstraints } from '../../src/explain/price-monotonicity.js';
import { buildFeatureSet, type FeatureConfig } from '../../src/features/feature-set.js';
import { rollingMean } from '../../src/features/lag-features.js';
import { type Panel, panelThrough, seriesCount } from '../../src/features/panel.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { globalModel } from '../../src/forecast/global-model.js';
import { levelTransform } from '../../src/forecast/target-transforms.js';
import { GradientBoosting } from '../../src/ml/index.js';
import { readForecastData } from '../../src/store/forecast-data.js';

export interface ExplainFixture {
  readonly root: string;
  readonly retailer: DemoRetailer;
  /** The ingested panel's directory. */
  readonly panelDir: string;
  readonly panel: Panel;
  /** Last day of the history (`YYYY-MM-DD`); the panel's next `h` days are the forecast period. */
  readonly cutoff: string;
  readonly history: Panel;
  readonly h: number;
  readonly forecaster: Forecaster;
  readonly modelFile: string;
}

const FEATURES: FeatureConfig = {
  lags: [7, 14, 28],
  lagTransforms: { 7: [rollingMean(28)] },
  exog: ['discount_pct', 'paid_price', 'on_promo', 'promo_type', 'is_holiday', 'temp_c'],
  targetEncodings: false,
};

export async function explainFixture(): Promise<ExplainFixture> {
  const root = await mkdtemp(join(tmpdir(), 'salescast-explain-'));
  const retailer = generateDemoRetailer({ stores: 2, products: 3, days: 200, seed: 42 });
  const sources = join(root, 'demo');
  await writeDemoRetailer(retailer, sources, 'csv');
  const panelDir = join(root, 'panel');
  await ingestSources({ sources, out: panelDir });
  const panel = await readForecastData(panelDir);
  const h = 7;
  let end = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < seriesCount(panel); s++) end = Math.max(end, panel.dates[panel.offsets[s + 1] - 1]);
  const history = panelThrough(panel, end - h);
  const names = buildFeatureSet(history, FEATURES, 1).map((d) => d.name);
  const forecaster = new Forecaster({
    models: {
      gbm: () =>
        globalModel({
          learner: () =>
            new GradientBoosting({
              nEstimators: 40,
              learningRate: 0.1,
              maxLeaves: 15,
              minDataInLeaf: 20,
              monotoneConstraints: priceMonotoneConstraints(names),
              nThreads: 1,
            }),
        }),
    },
    ...FEATURES,
    strategy: 'recursive',
    targetTransforms: () => [levelTransform(28)],
    quantiles: [0.1, 0.5, 0.9],
    calibrationWindows: 1,
  }).fit(history, { h });
  const modelFile = join(root, 'model.scf');
  await writeFileAtomic(modelFile, forecaster.serialize());
  return {
    root,
    retailer,
    panelDir,
    panel,
    cutoff: formatDay(end - h),
    history,
    h,
    forecaster,
    modelFile,
  };
}
