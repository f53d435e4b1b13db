/**
 * First-start bootstrap for `npm start`: on an empty database, creates the tenant "Demo Retail"
 * with an admin (also platform super-admin) and a generated password, generates the demo
 * retailer, and ingests it as the tenant's first dataset. The login is saved (mode 0600) in
 * `<dataDir>/demo-login.json`, so later starts can print it again.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/atomic-write.js';
import { generateDemoRetailer } from '../data/demo/generate.js';
import { TRUTH_FILE, writeDemoRetailer } from '../data/demo/writers.js';
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
}

/** A random password that meets the policy (four classes, 20 characters). */
function demoPassword(): string {
  return `Demo-${randomBytes(12).toString('base64url')}-7a`;
}

/**
 * Creates the demo tenant when no tenant exists yet and returns its login; returns the saved
 * login (or undefined if there is none) when the database already has tenants.
 */
export async function ensureDemoTenant(
  platform: Platform,
  options: { stores?: number; products?: number; days?: number } = {},
): Promise<{ created: boolean; login: DemoLogin | undefined }> {
  const file = join(platform.config.dataDir, LOGIN_FILE);
  if ((await platform.store.system.countTenants()) > 0) {
    const saved = await readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as DemoLogin,
      () => undefined,
    );
    return { created: false, login: saved };
  }
  const password = demoPassword();
  const ctx = { requestId: 'bootstrap', ip: '127.0.0.1' };
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
  const saveLogin = async (value: DemoLogin) => {
    await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
    await chmod(file, 0o600);
  };
  // Saved before the (slow) demo data, so an interrupted first start never loses the password.
  const login: DemoLogin = { tenant_id, email: DEMO_EMAIL, password, dataset_id: null };
  await saveLogin(login);
  const srcDir = join(tenantDir(platform.config.dataDir, tenant_id), 'tmp', 'demo-sources');
  try {
    await writeDemoRetailer(generateDemoRetailer(options), srcDir, 'csv');
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
  return { created: true, login };
}
