/**
 * First-start bootstrap for `npm start`: on an empty database, creates the tenant "Demo Retail"
 * with an admin (also platform super-admin) and a generated password, generates the demo
 * retailer, ingests it as the tenant's first dataset, and trains and promotes a first model on it,
 * so the forecast, explain and decision routes answer at once. The login is saved (mode 0600) in
 * `<dataDir>/demo-login.json`, so later starts can print it again.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SalescastError } from '../core/errors.js';
import { writeFileAtomic } from '../data/atomic-write.js';
import { generateDemoRetailer } from '../data/demo/generate.js';
import { TRUTH_FILE, writeDemoRetailer } from '../data/demo/writers.js';
import { DEFAULT_MODEL_NAME } from '../mlops/production-models.js';
import { systemActor } from '../mlops/registry-service.js';
import { tenantDir } from '../store/files.js';
import type { UploadPart } from './dataset-service.js';
import type { Platform } from './platform.js';
import type { Principal } from './principal.js';

export const DEMO_TENANT_NAME = 'Demo Retail';
export const DEMO_EMAIL = 'demo@salescast.local';
const LOGIN_FILE = 'demo-login.json';

export interface DemoLogin {
  tenant_id: string;
  email: string;
  password: string;
  dataset_id: string | null;
  /** Version of the model `default` promoted at bootstrap; absent until it is. */
  model_version?: number;
}

/**
 * The demo's first model: the global ridge regression on the shared lag/calendar features, four
 * weeks ahead, backtested on one window (for its conformal intervals). Why not the gradient
 * boosting: on the default demo (5 stores × 12 products × 730 days) `gbm` costs ~26 s of CPU to
 * train (WAPE 0.457), which makes the first `npm start` 33 s on a 2-core machine; ridge trains in
 * ~6 s (WAPE 0.539) and the whole bootstrap stays near 10 s. A better model is one
 * `salescast runs train --model gbm` and a promotion away (docs/MLOPS.md).
 */
export const DEMO_MODEL = { model: 'linear', horizon: 28, windows: 1 } as const;

/** A random password that meets the policy (four classes, 20 characters). */
function demoPassword(): string {
  return `Demo-${randomBytes(12).toString('base64url')}-7a`;
}

/**
 * Creates the demo tenant when no tenant exists yet and returns its login; returns the saved
 * login (or undefined if there is none) when the database already has tenants. `model: false`
 * skips the first model (tests that train their own versions from 1).
 */
export async function ensureDemoTenant(
  platform: Platform,
  options: { stores?: number; products?: number; days?: number; model?: boolean } = {},
): Promise<{ created: boolean; login: DemoLogin | undefined }> {
  const { model = true, ...demoSize } = options;
  const file = join(platform.config.dataDir, LOGIN_FILE);
  const saveLogin = async (value: DemoLogin) => {
    await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
    await chmod(file, 0o600);
  };
  const ctx = { requestId: 'bootstrap', ip: '127.0.0.1' };
  if ((await platform.store.system.countTenants()) > 0) {
    const saved = await readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as DemoLogin,
      () => undefined,
    );
    // A first start stopped after the ingestion (or a data dir from before models were part of
    // the bootstrap) still gets its model; otherwise later starts do nothing.
    if (model && saved?.dataset_id && saved.model_version === undefined) {
      saved.model_version = await trainDemoModel(platform, saved.tenant_id, saved.dataset_id, ctx);
      await saveLogin(saved);
    }
    return { created: false, login: saved };
  }
  const password = demoPassword();
  const { tenant_id, admin_user_id } = await platform.tenants.create(
    {
      name: DEMO_TENANT_NAME,
      plan: 'pro',
      adminEmail: DEMO_EMAIL,
      adminPassword: password,
      platformAdmin: true,
    },
    undefined,
    ctx,
  );
  const admin: Principal = {
    kind: 'user',
    id: admin_user_id,
    tenantId: tenant_id,
    role: 'admin',
    plan: 'pro',
    platformAdmin: true,
  };
  // Saved before the (slow) demo data, so an interrupted first start never loses the password.
  const login: DemoLogin = { tenant_id, email: DEMO_EMAIL, password, dataset_id: null };
  await saveLogin(login);
  const srcDir = join(tenantDir(platform.config.dataDir, tenant_id), 'tmp', 'demo-sources');
  try {
    await writeDemoRetailer(generateDemoRetailer(demoSize), srcDir, 'csv');
    const files = (await readdir(srcDir)).filter((f) => f !== TRUTH_FILE).sort();
    async function* parts(): AsyncGenerator<UploadPart> {
      for (const f of files) yield { filename: f, stream: createReadStream(join(srcDir, f)) };
    }
    login.dataset_id = (
      await platform.datasets.upload(admin, parts(), ctx, { name: 'Demo Retail sample data' })
    ).id;
  } finally {
    await rm(srcDir, { recursive: true, force: true });
  }
  await saveLogin(login);
  if (model) {
    login.model_version = await trainDemoModel(platform, tenant_id, login.dataset_id, ctx);
    await saveLogin(login);
  }
  return { created: true, login };
}

/**
 * Trains `DEMO_MODEL` on the dataset and promotes it, unless the tenant already has a production
 * version of the default model (then returns that version). The first version has no champion to
 * beat, so the promotion policy passes on its own backtest.
 */
async function trainDemoModel(
  platform: Platform,
  tenantId: string,
  datasetId: string,
  ctx: { requestId: string; ip: string },
): Promise<number> {
  const current = await platform.store.withTenant(tenantId, (r) => r.models.production(DEFAULT_MODEL_NAME));
  if (current) return Number(current.version);
  const by = systemActor(tenantId, 'bootstrap');
  const { version } = await platform.registry.train(by, { datasetId, ...DEMO_MODEL }, ctx);
  if (!version) throw new SalescastError('INTERNAL', 'Training the demo model registered no version.');
  const promoted = await platform.registry.promote(
    by,
    version.name,
    version.version,
    { reason: 'demo bootstrap: first model' },
    ctx,
  );
  return promoted.version.version;
}
