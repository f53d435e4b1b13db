/**
 * Vitest global setup: PostgreSQL test schemas (`t_…` of the platform harness, `s_…` of the store
 * tests) are dropped once, after the whole run, never while tests run. Kysely's migrator lists every
 * table of the database when it starts, and a schema dropped by a parallel test in the middle of
 * that listing makes the listing fail with "schema … does not exist".
 */
import pg from 'pg';

const TEST_SCHEMAS = String.raw`^[ts]_[0-9a-f]{12}$`;

async function dropTestSchemas(): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE nspname ~ $1',
      [TEST_SCHEMAS],
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA ${nspname} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function setup(): Promise<() => Promise<void>> {
  return dropTestSchemas;
}
