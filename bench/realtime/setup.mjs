// The benchmark API shared by server.mjs (over HTTP) and inject.mjs (in process): the built API
// (`dist` = compiled src) with a demo production model (GBM, 100 trees, lags and rolling features,
// calibrated P10/P50/P90) trained on the demo retailer's daily sales, one tenant and an API key.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * @param {{ dist: string, cacheTtlMs: number, stores: number, products: number, forecastWorkers?: number }} o
 * @returns the Fastify app (not listening), its platform and realtime services (closed by `close`),
 *   the API key and the panel's series ids.
 */
export async function benchApi(o) {
  const dist = resolve(o.dist);
  const load = (p) => import(join(dist, p));
  const [demo, panelMod, fc, gm, tt, ml, lf, cfg, plat, srv, rt] = await Promise.all([
    load('data/demo/generate.js'),
    load('features/panel.js'),
    load('forecast/forecaster.js'),
    load('forecast/global-model.js'),
    load('forecast/target-transforms.js'),
    load('ml/index.js'),
    load('features/lag-features.js'),
    load('platform/config.js'),
    load('platform/platform.js'),
    load('api/server.js'),
    load('realtime/realtime.js'),
  ]);

  // The demo retailer's daily unit sales per store × product (gaps stay gaps).
  const retailer = demo.generateDemoRetailer({
    stores: o.stores,
    products: o.products,
    days: 400,
    seed: 42,
  });
  const sales = retailer.tables.sales;
  const col = (name) => sales.columns.indexOf(name);
  const [iStore, iProduct, iDate, iUnits] = ['store_id', 'product_id', 'date', 'units'].map(col);
  const seen = new Set();
  const long = { seriesId: [], date: [], y: [] };
  for (const row of sales.rows) {
    const id = `${row[iStore]}/${row[iProduct]}`;
    const day = Math.floor(Date.parse(`${row[iDate]}T00:00:00Z`) / 86_400_000);
    const key = `${id}|${day}`;
    const units = Number(row[iUnits]);
    if (seen.has(key) || !(units >= 0)) continue;
    seen.add(key);
    long.seriesId.push(id);
    long.date.push(day);
    long.y.push(units);
  }
  const panel = panelMod.buildPanel(long, { freq: 'day' });
  const forecaster = new fc.Forecaster({
    models: {
      gbm: () =>
        gm.globalModel({
          learner: () =>
            new ml.GradientBoosting({
              nEstimators: 100,
              learningRate: 0.1,
              maxLeaves: 31,
              minDataInLeaf: 20,
              nThreads: 1,
            }),
        }),
    },
    lags: [1, 2, 7, 14, 28],
    lagTransforms: { 1: [lf.rollingMean(7), lf.ewm(0.2)], 7: [lf.rollingMean(28)] },
    targetEncodings: false,
    targetTransforms: () => [tt.levelTransform(28)],
    quantiles: [0.1, 0.5, 0.9],
    calibrationWindows: 1,
  }).fit(panel, { h: 28 });

  const productionModels = {
    async get(t, name = 'default') {
      return { tenantId: t, name, version: 1, forecaster, datasetId: null };
    },
    onChange: () => () => {},
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'salescast-bench-'));
  const config = cfg.platformConfig({
    dataDir,
    rateLimitPerMinute: 100_000_000,
    jwtSecret: 'bench-only-secret-0123456789abcdef012345',
  });
  const platform = await plat.createPlatform(config, { productionModels });
  const ctx = { requestId: 'bench', ip: '127.0.0.1' };
  const created = await platform.tenants.create(
    {
      name: 'Bench',
      plan: 'enterprise',
      adminEmail: 'bench@bench.test',
      adminPassword: 'Bench-Passw0rd!-long',
      platformAdmin: false,
    },
    undefined,
    ctx,
  );
  const tenantId = created.tenant_id;
  const admin = {
    kind: 'user',
    id: created.admin_user_id,
    tenantId,
    role: 'admin',
    plan: 'enterprise',
    platformAdmin: false,
  };
  const { key } = await platform.apiKeys.create(admin, { name: 'bench', role: 'analyst' }, ctx);
  const realtime = await rt.createRealtime(platform, {
    cache: { ttlMs: o.cacheTtlMs },
    forecastWorkers: o.forecastWorkers,
  });
  const app = await srv.buildServer({ platform, realtime, logger: false });
  const close = async () => {
    await app.close();
    await realtime.close();
    await platform.close();
  };
  return { app, key, series: panel.seriesIds, rows: panel.y.length, close };
}
