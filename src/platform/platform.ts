/**
 * Wires the platform: opens the store (running migrations), connects Redis when configured, and
 * builds every service with its small set of dependencies. Transports (server, CLI) call this
 * once and pass the result on.
 */
import { Redis } from 'ioredis';
import { ingestSources } from '../data/ingest/index.js';
import { createMlopsOperations, type MlopsOperations } from '../mlops/operations.js';
import { createProductionModels, type ProductionModels } from '../mlops/production-models.js';
import { createRegistryService, type RegistryService } from '../mlops/registry-service.js';
import { openStore, type Store } from '../store/store.js';
import { type ApiKeyService, createApiKeyService } from './api-key-service.js';
import { type AuditService, createAuditService } from './audit-service.js';
import { type AuthService, createAuthService } from './auth-service.js';
import { type BillingService, createBillingService } from './billing-service.js';
import type { PlatformConfig } from './config.js';
import { memoryCounterStore, redisCounterStore } from './counter-store.js';
import { createDatasetService, type DatasetService, type IngestFn } from './dataset-service.js';
import { createLoginThrottle } from './login-throttle.js';
import { createPrincipalCache } from './principal-cache.js';
import { createTenantService, type TenantService } from './tenant-service.js';
import { loadJwtSecret } from './tokens.js';
import { createUsageService, type UsageService } from './usage-service.js';
import { createUserService, type UserService } from './user-service.js';

export interface Platform {
  readonly config: PlatformConfig;
  readonly store: Store;
  /** Present when REDIS_URL is set: shared rate limits and login throttling. */
  readonly redis: Redis | undefined;
  readonly auth: AuthService;
  readonly tenants: TenantService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly usage: UsageService;
  readonly billing: BillingService;
  readonly audit: AuditService;
  readonly datasets: DatasetService;
  /** The tenant's production forecasters, as serving routes load them. */
  readonly productionModels: ProductionModels;
  /** Experiment runs and the model registry: train, compare, promote, roll back. */
  readonly registry: RegistryService;
  /** Durable jobs, retrain schedules, monitoring (drift, decay) and MLOps settings; the worker. */
  readonly operations: MlopsOperations;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Replaces ingestion (tests of the upload path that do not need DuckDB). */
  ingest?: IngestFn;
  /** Replaces the registry-backed production models (route tests that inject a fitted forecaster). */
  productionModels?: ProductionModels;
  now?: () => Date;
}

/** Opens the database and Redis of `config` and builds the services. */
export async function createPlatform(
  config: PlatformConfig,
  options: PlatformOptions = {},
): Promise<Platform> {
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.pgSchema,
  });
  let redis: Redis | undefined;
  try {
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, {
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        enableOfflineQueue: true,
      });
      await redis.connect();
    }
  } catch (e) {
    await store.close();
    redis?.disconnect();
    throw e;
  }
  const now = options.now;
  const throttle = createLoginThrottle(
    redis ? redisCounterStore(redis, `${config.redisPrefix}throttle:`) : memoryCounterStore(),
    config.throttle,
  );
  const usage = createUsageService({ store, now });
  const principals = createPrincipalCache();
  // Revocations, role changes, suspensions and quota changes take effect at once in this process.
  const onAccessChange = (tenantId: string) => {
    principals.dropTenant(tenantId);
    usage.forget(tenantId);
  };
  const registryModels = createProductionModels({ store });
  const registry = createRegistryService({
    store,
    usage,
    dataDir: config.dataDir,
    onChange: (change) => registryModels.notify(change),
    now,
  });
  const productionModels = options.productionModels ?? registryModels;
  const operations = createMlopsOperations({ config, store, registry, productionModels, usage, redis, now });
  return {
    config,
    store,
    redis,
    auth: createAuthService({
      store,
      secret: loadJwtSecret(config.dataDir, config.jwtSecret),
      throttle,
      argon2: config.argon2,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      principals,
      now,
    }),
    tenants: createTenantService({
      store,
      dataDir: config.dataDir,
      argon2: config.argon2,
      onAccessChange,
      now,
    }),
    users: createUserService({ store, argon2: config.argon2, onAccessChange, now }),
    apiKeys: createApiKeyService({ store, onAccessChange, now }),
    usage,
    billing: createBillingService({ usage, now }),
    audit: createAuditService({ store, now }),
    datasets: createDatasetService({
      store,
      usage,
      ingest: options.ingest ?? ingestSources,
      dataDir: config.dataDir,
      maxFileBytes: config.maxUploadFileBytes,
      maxFiles: config.maxUploadFiles,
      now,
    }),
    productionModels,
    registry,
    operations,
    async close() {
      await operations.close();
      // Buffered usage counters are written before the database closes: nothing is lost.
      await usage.close();
      await store.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
