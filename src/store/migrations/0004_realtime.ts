/**
 * Real-time serving: streamed actuals and events (the durable side of the online feature state),
 * alerts (deduplicated by key) and webhook subscriptions. In PostgreSQL every one gets row-level
 * security.
 */
import type { Kysely } from 'kysely';
import { isPostgres, protectTenantTable } from './rls.js';

const TABLES = ['stream_records', 'alerts', 'webhooks'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_records')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('series_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('y', 'double precision')
    .addColumn('drivers', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stream_records_pk', ['tenant_id', 'series_id', 'date'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('series_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('expected', 'double precision', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .execute();
  // One alert per finding key: a repeat of the same finding updates it instead of adding a row.
  await db.schema
    .createIndex('alerts_dedup')
    .on('alerts')
    .columns(['tenant_id', 'dedup_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('alerts_tenant_seen')
    .on('alerts')
    .columns(['tenant_id', 'last_seen_at'])
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('min_severity', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_status', 'text')
    .addColumn('last_delivery_at', 'text')
    .execute();
  await db.schema.createIndex('webhooks_tenant').on('webhooks').column('tenant_id').execute();

  if (isPostgres(db)) for (const table of TABLES) await protectTenantTable(db, table);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [...TABLES].reverse()) await db.schema.dropTable(table).execute();
}
