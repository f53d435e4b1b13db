/**
 * Test support for the decision surface: a small daily demo retailer (2 stores × 4 products ×
 * 400 days) written as source files, ingested into a panel and a GBM forecaster trained on it
 * like `salescast train --model gbm` (fewer trees), so CLI and route tests decide from a real
 * trained artifact.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/data/atomic-write.js';
import { type DemoRetailer, generateDemoRetailer } from '../../src/data/demo/generate.js';
import { writeDemoRetailer } from '../../src/data/demo/writers.js';
import { ingestSources } from '../../src/data/ingest/index.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { globalModel } from '../../src/forecast/global-model.js';
import { gbmParams } from '../../src/forecast/presets.js';
import { levelTransform } from '../../src/forecast/target-transforms.js';
import { GradientBoosting } from '../../src/ml/index.js';
import { readForecastData } from '../../src/store/forecast-data.js';

export interface DemoModel {
  readonly root: string;
  readonly retailer: DemoRetailer;
  /** Source files folder. */
  readonly sources: string;
  /** Ingested panel folder (panel.parquet). */
  readonly panel: string;
  /** Artifact written by `salescast train`. */
  readonly modelFile: string;
  readonly artifact: Uint8Array;
}

/** Generates, ingests and trains; `horizon` is the model's longest horizon. */
export async function trainDemoModel(horizon = 14): Promise<DemoModel> {
  const root = await mkdtemp(join(tmpdir(), 'salescast-decide-'));
  const retailer = generateDemoRetailer({ stores: 2, products: 4, days: 400, seed: 42 });
  const sources = join(root, 'sources');
  const panel = join(root, 'panel');
  await writeDemoRetailer(retailer, sources, 'csv');
  await ingestSources({ sources, out: panel });
  const modelFile = join(root, 'model.scf');
  // The `train --model gbm` configuration with 60 trees instead of 300, to keep the tests fast.
  const forecaster = new Forecaster({
    models: {
      gbm: () => globalModel({ learner: () => new GradientBoosting(gbmParams({ nEstimators: 60 })) }),
    },
    strategy: 'recursive',
    targetTransforms: () => [levelTransform(28)],
    calibrationWindows: 1,
  }).fit(await readForecastData(panel), { h: horizon });
  await writeFileAtomic(modelFile, forecaster.serialize());
  return { root, retailer, sources, panel, modelFile, artifact: new Uint8Array(await readFile(modelFile)) };
}
