/**
 * Test support for the real-time service: a small daily demo retailer with a GBM forecaster fitted
 * on all but its last `holdout` days (which tests stream as live actuals), and a ProductionModels
 * whose production version tests switch, as a promotion or rollback would.
 */

import type { FastifyInstance } from 'fastify';
import { SalescastError } from '../../src/core/errors.js';
import { generateDemoRetailer } from '../../src/data/demo/generate.js';
import { demoPanel } from '../../src/explain/testing/demo-panel.js';
import type { FeatureConfig } from '../../src/features/feature-set.js';
import { ewm, rollingMean } from '../../src/features/lag-features.js';
import { type Panel, panelThrough } from '../../src/features/panel.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { globalModel } from '../../src/forecast/global-model.js';
import { levelTransform } from '../../src/forecast/target-transforms.js';
import { GradientBoosting } from '../../src/ml/index.js';
import type { ModelChange, ProductionModel, ProductionModels } from '../../src/mlops/production-models.js';
import type { PlatformConfig } from '../../src/platform/config.js';
import { type Caller, createTenant, type Dialect, type Harness, startHarness } from '../platform/harness.js';

export interface StreamingDemo {
  /** Every day: actuals and drivers. */
  readonly panel: Panel;
  /** What the forecaster was fitted on: the panel through `end − holdout`. */
  readonly history: Panel;
  readonly forecaster: Forecaster;
  readonly h: number;
  /** Day number of the last training day. */
  readonly cutoff: number;
}

/**
 * Per-series features only (lags, rolling means, calendar, every driver, series id): no target
 * encodings, so a series' forecast reads that series alone (the serving fast path).
 */
export const COMPACT: FeatureConfig = {
  lags: [1, 2, 7, 14, 28],
  lagTransforms: { 1: [rollingMean(7), ewm(0.2)], 7: [rollingMean(28)] },
  targetEncodings: false,
};

export function fitStreamingDemo(
  options: {
    stores?: number;
    products?: number;
    days?: number;
    holdout?: number;
    h?: number;
    trees?: number;
    features?: FeatureConfig;
  } = {},
): StreamingDemo {
  const retailer = generateDemoRetailer({
    stores: options.stores ?? 2,
    products: options.products ?? 3,
    days: options.days ?? 300,
    seed: 11,
  });
  const panel = demoPanel(retailer);
  let end = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < panel.seriesIds.length; s++) end = Math.max(end, panel.dates[panel.offsets[s + 1] - 1]);
  const cutoff = end - (options.holdout ?? 60);
  const history = panelThrough(panel, cutoff);
  const h = options.h ?? 7;
  const features = options.features ?? COMPACT;
  const forecaster = new Forecaster({
    models: {
      gbm: () =>
        globalModel({
          learner: () =>
            new GradientBoosting({
              nEstimators: options.trees ?? 80,
              learningRate: 0.1,
              maxLeaves: 15,
              minDataInLeaf: 20,
              nThreads: 1,
            }),
        }),
    },
    ...features,
    targetTransforms: () => [levelTransform(28)],
    quantiles: [0.1, 0.5, 0.9],
    calibrationWindows: 1,
  }).fit(history, { h });
  return { panel, history, forecaster, h, cutoff };
}

/**
 * Production models of one tenant-independent registry: `setProduction` makes a version the
 * production one of a model name ('default' unless given) and notifies listeners, as a promotion
 * or rollback does.
 */
export class SwitchableModels implements ProductionModels {
  private readonly versions = new Map<number, Forecaster>();
  private readonly listeners = new Set<(c: ModelChange) => void>();
  /** The production version of each model name. */
  private readonly current = new Map<string, number>();
  /** Number of `get` calls (serving caches resolutions; tests check it does). */
  gets = 0;

  constructor(private readonly tenantIds: () => readonly string[]) {}

  add(version: number, forecaster: Forecaster): this {
    this.versions.set(version, forecaster);
    return this;
  }

  setProduction(version: number, name = 'default'): void {
    this.current.set(name, version);
    for (const tenantId of this.tenantIds()) for (const l of this.listeners) l({ tenantId, name, version });
  }

  async get(tenantId: string, name = 'default'): Promise<ProductionModel> {
    this.gets++;
    const version = this.current.get(name);
    if (!this.tenantIds().includes(tenantId) || version === undefined) {
      throw new SalescastError('NOT_FOUND', `No production version of model '${name}'.`);
    }
    return { tenantId, name, version, forecaster: this.versions.get(version)!, datasetId: null };
  }

  onChange(listener: (c: ModelChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface Serving {
  readonly h: Harness;
  /** The admin of the one tenant the models serve. */
  readonly admin: Caller;
  readonly models: SwitchableModels;
}

/**
 * The set-up the serving tests share: a platform on `dialect` whose one tenant serves `forecasters`
 * as versions 1, 2, … of its production model, version 1 in production.
 */
export async function startServing(
  dialect: Dialect,
  tenant: {
    readonly name: string;
    readonly plan?: 'starter' | 'pro' | 'enterprise';
    readonly platformAdmin?: boolean;
  },
  forecasters: readonly Forecaster[],
  config: Partial<PlatformConfig> = {},
): Promise<Serving> {
  const tenants: string[] = [];
  const models = new SwitchableModels(() => tenants);
  forecasters.forEach((f, i) => {
    models.add(i + 1, f);
  });
  const h = await startHarness(dialect, config, { productionModels: models });
  const admin = await createTenant(h, tenant.name, tenant.plan, tenant.platformAdmin);
  tenants.push(admin.tenantId);
  models.setProduction(1);
  return { h, admin, models };
}

/** POST /v1/stream with an NDJSON body, as `token`. */
export function postStream(app: FastifyInstance, token: string, ndjson: string) {
  return app.inject({
    method: 'POST',
    url: '/v1/stream',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    payload: ndjson,
  });
}
