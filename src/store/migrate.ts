/**
 * Brings the database schema up to date at startup. A failed migration throws with its name, so
 * the server never starts on a half-migrated database.
 */
import { Migrator, sql } from 'kysely';
import { SalescastError } from '../core/errors.js';
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations/index.js';

/** Runs every pending migration; returns the names of those applied now. */
export async function migrate(db: Db): Promise<string[]> {
  if (db.dialect === 'postgres' && db.pgSchema && db.pgSchema !== 'public') {
    await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${db.pgSchema}`).execute(db.kysely);
  }
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(db.pgSchema ? { migrationTableSchema: db.pgSchema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new SalescastError(
      'SERVICE_UNAVAILABLE',
      `Database migration ${failed?.migrationName ?? '(setup)'} failed: ${cause}`,
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
