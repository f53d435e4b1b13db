/**
 * The store: the only way into the database for the application layer. Tenant data is reached
 * only through `withTenant(tenantId, fn)`, whose repositories filter by that tenant by
 * construction; in PostgreSQL the transaction also switches to the non-owner app role and sets
 * `app.tenant_id`, so row-level security enforces the same boundary a second time.
 */
import { type Kysely, sql } from 'kysely';
import { createDb, type Db, type DbConfig } from './db.js';
import { migrate } from './migrate.js';
import { APP_ROLE } from './migrations/rls.js';
import { type AlertRepo, alertRepo } from './repositories/alerts.js';
import { type ApiKeyRepo, apiKeyRepo } from './repositories/api-keys.js';
import { type AuditRepo, auditRepo } from './repositories/audit.js';
import { type DatasetRepo, datasetRepo } from './repositories/datasets.js';
import { type JobQueueRepo, type JobRepo, jobQueueRepo, jobRepo } from './repositories/jobs.js';
import { type ModelRepo, modelRepo } from './repositories/models.js';
import { type MonitoringRepo, monitoringRepo } from './repositories/monitoring.js';
import { type RunRepo, runRepo } from './repositories/runs.js';
import { type ScheduleRepo, scheduleRepo } from './repositories/schedules.js';
import { type SessionRepo, sessionRepo } from './repositories/sessions.js';
import { type StreamRecordRepo, streamRecordRepo } from './repositories/stream-records.js';
import { type SystemRepo, systemRepo } from './repositories/system.js';
import { type TenantRepo, tenantRepo } from './repositories/tenants.js';
import { type UsageRepo, usageRepo } from './repositories/usage.js';
import { type UserRepo, userRepo } from './repositories/users.js';
import { type WebhookRepo, webhookRepo } from './repositories/webhooks.js';
import type { Database } from './schema.js';

/** Every repository of one tenant, bound to one transaction. */
export interface TenantRepos {
  readonly tenantId: string;
  readonly tenant: TenantRepo;
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly usage: UsageRepo;
  readonly audit: AuditRepo;
  readonly datasets: DatasetRepo;
  readonly runs: RunRepo;
  readonly models: ModelRepo;
  readonly jobs: JobRepo;
  readonly schedules: ScheduleRepo;
  readonly monitoring: MonitoringRepo;
  readonly streamRecords: StreamRecordRepo;
  readonly alerts: AlertRepo;
  readonly webhooks: WebhookRepo;
}

export interface Store {
  readonly dialect: Db['dialect'];
  /** Runs `fn` in one transaction scoped to `tenantId`; it commits when `fn` resolves. */
  withTenant<T>(tenantId: string, fn: (repos: TenantRepos) => Promise<T>): Promise<T>;
  readonly system: SystemRepo;
  /** The workers' cross-tenant job queue (claims, leases, schedule ticks). */
  readonly jobQueue: JobQueueRepo;
  /** Throws if the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the database, runs pending migrations and returns the store. */
export async function openStore(config: DbConfig): Promise<Store> {
  const db = createDb(config);
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return storeOver(db);
}

function storeOver(db: Db): Store {
  const isPg = db.dialect === 'postgres';
  const repos = (trx: Kysely<Database>, tenantId: string): TenantRepos => ({
    tenantId,
    tenant: tenantRepo(trx, tenantId, isPg),
    users: userRepo(trx, tenantId),
    sessions: sessionRepo(trx, tenantId),
    apiKeys: apiKeyRepo(trx, tenantId),
    usage: usageRepo(trx, tenantId),
    audit: auditRepo(trx, tenantId),
    datasets: datasetRepo(trx, tenantId),
    runs: runRepo(trx, tenantId),
    models: modelRepo(trx, tenantId),
    jobs: jobRepo(trx, tenantId),
    schedules: scheduleRepo(trx, tenantId),
    monitoring: monitoringRepo(trx, tenantId),
    streamRecords: streamRecordRepo(trx, tenantId),
    alerts: alertRepo(trx, tenantId),
    webhooks: webhookRepo(trx, tenantId),
  });
  return {
    dialect: db.dialect,
    withTenant(tenantId, fn) {
      return db.kysely.transaction().execute(async (trx) => {
        if (isPg) {
          await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
          await sql.raw(`set local role ${APP_ROLE}`).execute(trx);
        }
        return fn(repos(trx, tenantId));
      });
    },
    system: systemRepo(db.kysely),
    jobQueue: jobQueueRepo(db.kysely, isPg),
    async ping() {
      await sql`select 1`.execute(db.kysely);
    },
    close: () => db.destroy(),
  };
}
