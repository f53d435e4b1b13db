/**
 * PostgreSQL row-level security for tenant tables. The app runs tenant queries as the role
 * `salescast_app` (no BYPASSRLS, not the owner) after setting `app.tenant_id` for the
 * transaction; each policy admits only rows of that tenant, for reads and for writes.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** The non-owner role tenant transactions switch to (`SET LOCAL ROLE`). */
export const APP_ROLE = 'salescast_app';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Creates the app role once per cluster and lets the migrating (owner) user switch to it. Safe
 * to run concurrently: parallel test files migrate their own schemas at the same time.
 */
export async function ensureAppRole(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$`)
    .execute(db);
  await sql
    .raw(`DO $$ BEGIN
  IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
  END IF;
EXCEPTION WHEN unique_violation THEN NULL;
END $$`)
    .execute(db);
  await sql
    .raw(`DO $$ BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${APP_ROLE}', current_schema());
END $$`)
    .execute(db);
}

/**
 * Enables and forces row-level security on `table` with a policy on `app.tenant_id`, and grants
 * the app role the given privileges (an append-only table gets only SELECT and INSERT).
 */
export async function protectTenantTable(
  db: Kysely<unknown>,
  table: string,
  options: { column?: string; privileges?: string } = {},
): Promise<void> {
  const column = options.column ?? 'tenant_id';
  const privileges = options.privileges ?? 'SELECT, INSERT, UPDATE, DELETE';
  const predicate = `${column} = current_setting('app.tenant_id', true)`;
  await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(`CREATE POLICY tenant_isolation ON ${table} USING (${predicate}) WITH CHECK (${predicate})`)
    .execute(db);
  await sql.raw(`GRANT ${privileges} ON ${table} TO ${APP_ROLE}`).execute(db);
}
