/**
 * MLOps part 1: experiment runs, registered models, their immutable versions (artifact stored in
 * the database) and the history of stage changes. Two guarantees live in the schema itself, so no
 * code path can break them: at most one `production` version per model name (a partial unique
 * index), and a version's content never changes (PostgreSQL grants the app role UPDATE on `stage`
 * only and no DELETE; SQLite refuses such updates and deletes with triggers).
 */
import { type Kysely, sql } from 'kysely';
import { isPostgres, protectTenantTable } from './rls.js';

const VERSION_CONTENT = [
  'id',
  'tenant_id',
  'model_name',
  'version',
  'artifact',
  'artifact_bytes',
  'artifact_sha256',
  'metrics',
  'hyperparameters',
  'run_id',
  'dataset_id',
  'input_hash',
  'code_version',
  'created_by',
  'created_at',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);

  await db.schema
    .createTable('experiment_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('dataset_id', 'text')
    .addColumn('input_hash', 'text', (c) => c.notNull())
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('code_version', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('artifact_ref', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('experiment_runs_tenant_started')
    .on('experiment_runs')
    .columns(['tenant_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('registered_models')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_models_pk', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('artifact', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('artifact_bytes', 'bigint', (c) => c.notNull())
    .addColumn('artifact_sha256', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('hyperparameters', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.references('experiment_runs.id'))
    .addColumn('dataset_id', 'text')
    .addColumn('input_hash', 'text', (c) => c.notNull())
    .addColumn('code_version', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('model_versions_model_fk', ['tenant_id', 'model_name'], 'registered_models', [
      'tenant_id',
      'name',
    ])
    .addUniqueConstraint('model_versions_number', ['tenant_id', 'model_name', 'version'])
    .execute();
  // Serving looks up the production version of a name on every call: this index answers it.
  await db.schema
    .createIndex('model_versions_one_production')
    .on('model_versions')
    .columns(['tenant_id', 'model_name'])
    .unique()
    .where(sql.ref('stage'), '=', 'production')
    .execute();

  await db.schema
    .createTable('model_stage_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    // Orders changes made within one clock tick (promotion archives the old champion first).
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addForeignKeyConstraint(
      'model_stage_history_model_fk',
      ['tenant_id', 'model_name'],
      'registered_models',
      ['tenant_id', 'name'],
    )
    .execute();
  await db.schema
    .createIndex('model_stage_history_model')
    .on('model_stage_history')
    .columns(['tenant_id', 'model_name', 'seq'])
    .execute();

  if (pg) {
    await protectTenantTable(db, 'experiment_runs', { privileges: 'SELECT, INSERT' });
    await protectTenantTable(db, 'registered_models', { privileges: 'SELECT, INSERT, UPDATE' });
    await protectTenantTable(db, 'model_versions', { privileges: 'SELECT, INSERT, UPDATE (stage)' });
    await protectTenantTable(db, 'model_stage_history', { privileges: 'SELECT, INSERT' });
  } else {
    const content = VERSION_CONTENT.join(', ');
    await sql
      .raw(`CREATE TRIGGER model_versions_immutable BEFORE UPDATE OF ${content} ON model_versions
BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER model_versions_kept BEFORE DELETE ON model_versions
BEGIN SELECT RAISE(ABORT, 'model versions are never deleted'); END`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['model_stage_history', 'model_versions', 'registered_models', 'experiment_runs']) {
    await db.schema.dropTable(table).execute();
  }
}
