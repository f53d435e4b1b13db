/**
 * MLOps operations: durable jobs and their log lines, retrain schedules, monitoring reports and the
 * tenant's MLOps settings (auto-promotion, decay policy). In PostgreSQL every one gets row-level
 * security; the job queue's cross-tenant claims run on the owner connection (see
 * `../repositories/jobs.ts`).
 */
import type { Kysely } from 'kysely';
import { isPostgres, protectTenantTable } from './rls.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('jobs_tenant_created')
    .on('jobs')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema.createIndex('jobs_status_run_after').on('jobs').columns(['status', 'run_after']).execute();
  // A schedule tick or a trigger enqueues at most one job per key, whichever process gets there first.
  await db.schema
    .createIndex('jobs_idempotency')
    .on('jobs')
    .columns(['tenant_id', 'idempotency_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('job_logs')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_logs_pk', ['job_id', 'seq'])
    .execute();

  await db.schema
    .createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('cron', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_job_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedules_tenant').on('schedules').column('tenant_id').execute();
  await db.schema.createIndex('schedules_due').on('schedules').columns(['enabled', 'next_run_at']).execute();

  await db.schema
    .createTable('monitoring_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('drift_status', 'text', (c) => c.notNull())
    .addColumn('decayed', 'integer', (c) => c.notNull())
    .addColumn('expected_wape', 'double precision')
    .addColumn('realized_wape', 'double precision')
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('triggered_job_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('monitoring_reports_model')
    .on('monitoring_reports')
    .columns(['tenant_id', 'model_name', 'model_version', 'created_at'])
    .execute();

  await db.schema
    .createTable('mlops_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('auto_promote', 'integer', (c) => c.notNull())
    .addColumn('decay_margin', 'double precision', (c) => c.notNull())
    .addColumn('decay_periods', 'integer', (c) => c.notNull())
    .addColumn('decay_period_days', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  if (isPostgres(db)) {
    for (const table of ['jobs', 'job_logs', 'schedules', 'monitoring_reports', 'mlops_settings']) {
      await protectTenantTable(db, table);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['mlops_settings', 'monitoring_reports', 'schedules', 'job_logs', 'jobs']) {
    await db.schema.dropTable(table).execute();
  }
}
