/**
 * Test harness for the platform: a platform + server per dialect. SQLite lives in a temporary data
 * directory; PostgreSQL (when DATABASE_URL is set) gets a fresh schema per harness, dropped after
 * the whole run (test/pg-schemas.ts); Redis (when REDIS_URL is set) gets a key prefix of its own, deleted at the end. Passwords
 * use cheap argon2 parameters: test-only, production always uses OWASP's.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { buildServer } from '../../src/api/server.js';
import { generateDemoRetailer } from '../../src/data/demo/generate.js';
import { tableToCsv } from '../../src/data/demo/writers.js';
import { SOURCE_NAMES } from '../../src/data/schema.js';
import { type PlatformConfig, platformConfig } from '../../src/platform/config.js';
import { createPlatform, type Platform, type PlatformOptions } from '../../src/platform/platform.js';

export type Dialect = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when DATABASE_URL is set. */
export const DIALECTS: Dialect[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const TEST_JWT_SECRET = 'test-only-secret-0123456789abcdef0123456789';
export const PASSWORD = 'Str0ng-Test-Passw0rd!';

export interface Harness {
  dialect: Dialect;
  platform: Platform;
  app: FastifyInstance;
  config: PlatformConfig;
  close(): Promise<void>;
}

export async function startHarness(
  dialect: Dialect,
  overrides: Partial<PlatformConfig> = {},
  options: PlatformOptions = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'salescast-platform-'));
  const tag = randomBytes(6).toString('hex');
  const pgSchema = dialect === 'postgres' ? `t_${tag}` : undefined;
  const config = platformConfig(
    {
      dataDir,
      databaseUrl: dialect === 'postgres' ? process.env.DATABASE_URL : undefined,
      pgSchema,
      redisUrl: dialect === 'postgres' ? process.env.REDIS_URL || undefined : undefined,
      redisPrefix: `salescast-test:${tag}:`,
      jwtSecret: TEST_JWT_SECRET,
      // Test-only: cheap hashing keeps the suite fast. Production uses OWASP_ARGON2.
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
      ...overrides,
    },
    {},
  );
  const platform = await createPlatform(config, options);
  // SALESCAST_TEST_LOG=1 shows the server's error log while debugging a test.
  const app = await buildServer({
    platform,
    logger: process.env.SALESCAST_TEST_LOG === '1' ? { level: 'error' } : false,
  });
  await app.ready();
  return {
    dialect,
    platform,
    app,
    config,
    async close() {
      await app.close();
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
      // The PostgreSQL schema stays until the run ends (test/pg-schemas.ts drops it then).
      if (config.redisUrl) {
        const redis = new Redis(config.redisUrl);
        const keys = await redis.keys(`${config.redisPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
    },
  };
}

export interface Caller {
  token: string;
  tenantId: string;
  userId: string;
  email: string;
}

const CTX = { requestId: 'test', ip: '127.0.0.1' };

/** Creates a tenant with an admin (through the service, as the CLI does) and logs the admin in. */
export async function createTenant(
  h: Harness,
  name: string,
  plan: 'starter' | 'pro' | 'enterprise' = 'pro',
  platformAdmin = false,
): Promise<Caller> {
  const email = `admin@${name.toLowerCase()}-${randomBytes(3).toString('hex')}.test`;
  const { tenant_id, admin_user_id } = await h.platform.tenants.create(
    { name, plan, adminEmail: email, adminPassword: PASSWORD, platformAdmin },
    undefined,
    CTX,
  );
  const token = await login(h, email, PASSWORD);
  return { token, tenantId: tenant_id, userId: admin_user_id, email };
}

/** Adds a user with `role` to the admin's tenant and logs them in. */
export async function addUser(h: Harness, admin: Caller, role: string): Promise<Caller> {
  const email = `${role}-${randomBytes(3).toString('hex')}@${admin.email.split('@')[1]}`;
  const res = await call(h, 'POST', '/v1/users', admin.token, { email, password: PASSWORD, role });
  if (res.statusCode !== 201) throw new Error(`creating ${role}: ${res.statusCode} ${res.body}`);
  const id = res.json().id as string;
  return { token: await login(h, email, PASSWORD), tenantId: admin.tenantId, userId: id, email };
}

export async function login(h: Harness, email: string, password: string): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  return res.json().access_token as string;
}

/** One JSON request with a bearer token (or none). */
export function call(
  h: Harness,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  token?: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
}

/** A multipart body with one part per file: [file name, content]. */
export function multipart(files: [string, string | Buffer][]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = `----salescast${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, content] of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** A small, valid set of source files (CSV) from the demo generator: [file name, content]. */
export function demoSources(
  options: { stores?: number; products?: number; days?: number } = {},
): [string, string][] {
  const retailer = generateDemoRetailer({ stores: 1, products: 2, days: 28, seed: 7, ...options });
  // An optional source without rows (e.g. no promotion in 4 weeks) is left out, as a user would.
  return SOURCE_NAMES.filter((s) => retailer.tables[s].rows.length > 0).map((s) => [
    `${s}.csv`,
    tableToCsv(retailer.tables[s]),
  ]);
}

/** Uploads files as a dataset. */
export function upload(
  h: Harness,
  token: string,
  files: [string, string | Buffer][],
): Promise<LightMyRequestResponse> {
  const { payload, headers } = multipart(files);
  return h.app.inject({
    method: 'POST',
    url: '/v1/datasets',
    headers: { ...headers, authorization: `Bearer ${token}` },
    payload,
  });
}
