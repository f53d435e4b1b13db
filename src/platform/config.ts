/**
 * Settings of the platform services, resolved once from flags and the environment. Test-only
 * knobs (cheap argon2, a PostgreSQL schema, a Redis prefix, small limits) are marked as such.
 */
import { availableParallelism } from 'node:os';
import { resolveDataDir } from '../core/config.js';
import { SalescastError } from '../core/errors.js';
import { DEFAULT_THROTTLE, type ThrottleLimits } from './login-throttle.js';
import { type Argon2Params, OWASP_ARGON2 } from './passwords.js';

export interface PlatformConfig {
  dataDir: string;
  /** `postgres://…` (env DATABASE_URL): PostgreSQL instead of embedded SQLite. */
  databaseUrl?: string;
  /** `redis://…` (env REDIS_URL): shared rate limits and login throttling. */
  redisUrl?: string;
  /** Prefix of every Redis key (default `salescast:`); tests use one per run. */
  redisPrefix: string;
  /** Test-only: a PostgreSQL schema of its own. */
  pgSchema?: string;
  /** HS256 secret (env SALESCAST_JWT_SECRET); else generated once into the data directory. */
  jwtSecret?: string;
  /** Password hashing cost. Production uses OWASP's; tests may pass cheaper ones. */
  argon2: Argon2Params;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Replaces every plan's requests-per-minute (env SALESCAST_RATE_LIMIT); tests use small values. */
  rateLimitPerMinute?: number;
  /** Rate-limit window in ms (default one minute). */
  rateLimitWindowMs: number;
  throttle: ThrottleLimits;
  /** Largest accepted uploaded file, bytes. */
  maxUploadFileBytes: number;
  /** Most files in one upload. */
  maxUploadFiles: number;
  /**
   * Worker threads that forecast large batches in parallel (env SALESCAST_FORECAST_WORKERS); 0
   * forecasts them on the request thread. Default: one per core, at most 4, none on one core.
   */
  forecastWorkers: number;
  /**
   * |robust z| at or above which a streamed actual or a new prediction is an anomaly (env
   * SALESCAST_ANOMALY_THRESHOLD); default 2.5.
   */
  anomalyThreshold?: number;
  /**
   * Days a batch forecast job's result is kept after it was written (env
   * SALESCAST_BATCH_RESULT_DAYS); 0 keeps results until removed by hand. Default 7.
   */
  batchResultDays: number;
  /**
   * Days of streamed records kept before each tenant's newest one (env
   * SALESCAST_STREAM_RETENTION_DAYS); 0, the default, keeps every record.
   */
  streamRetentionDays: number;
}

const MIB = 1024 * 1024;

/** The configuration from flags and environment, with defaults. */
export function platformConfig(
  overrides: Partial<PlatformConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): PlatformConfig {
  const rate = env.SALESCAST_RATE_LIMIT ? Number(env.SALESCAST_RATE_LIMIT) : undefined;
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: 'salescast:',
    jwtSecret: env.SALESCAST_JWT_SECRET || undefined,
    argon2: OWASP_ARGON2,
    accessTokenTtlSeconds: 15 * 60,
    refreshTokenTtlSeconds: 30 * 86_400,
    rateLimitPerMinute: rate !== undefined && Number.isInteger(rate) && rate > 0 ? rate : undefined,
    rateLimitWindowMs: 60_000,
    throttle: DEFAULT_THROTTLE,
    maxUploadFileBytes: 200 * MIB,
    maxUploadFiles: 16,
    forecastWorkers: forecastWorkersOf(env),
    anomalyThreshold: anomalyThresholdOf(env),
    batchResultDays: batchResultDaysOf(env),
    streamRetentionDays: streamRetentionDaysOf(env),
    ...overrides,
    dataDir: resolveDataDir(overrides.dataDir, env),
  };
}

function anomalyThresholdOf(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.SALESCAST_ANOMALY_THRESHOLD;
  if (text === undefined || text === '') return undefined;
  const z = Number(text);
  if (!(Number.isFinite(z) && z > 0)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `SALESCAST_ANOMALY_THRESHOLD must be a number above 0 (a robust z-score, such as 2.5 or 3); got '${text}'.`,
    );
  }
  return z;
}

function batchResultDaysOf(env: NodeJS.ProcessEnv): number {
  return daysOf(env, 'SALESCAST_BATCH_RESULT_DAYS', 7, 'results until removed by hand');
}

function streamRetentionDaysOf(env: NodeJS.ProcessEnv): number {
  return daysOf(env, 'SALESCAST_STREAM_RETENTION_DAYS', 0, 'every streamed record');
}

/** A whole number of days ≥ 0 from `env[name]`, where 0 keeps `kept`. */
function daysOf(env: NodeJS.ProcessEnv, name: string, fallback: number, kept: string): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const days = Number(text);
  if (!(Number.isInteger(days) && days >= 0)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${name} must be a whole number of days, 0 to keep ${kept}; got '${text}'.`,
    );
  }
  return days;
}

const MAX_FORECAST_WORKERS = 64;

function forecastWorkersOf(env: NodeJS.ProcessEnv): number {
  const text = env.SALESCAST_FORECAST_WORKERS;
  if (text === undefined || text === '') {
    const cores = availableParallelism();
    return cores > 1 ? Math.min(cores, 4) : 0;
  }
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_FORECAST_WORKERS)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `SALESCAST_FORECAST_WORKERS must be a whole number from 0 to ${MAX_FORECAST_WORKERS}; got '${text}'.`,
    );
  }
  return n;
}
