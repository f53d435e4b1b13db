/**
 * The store over both dialects: migrations, tenant scoping, atomic counters and, in PostgreSQL,
 * row-level security on every table (checked from the catalog and by behaviour).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRecordRow, tenantRow, userRow } from '../../test/fixtures/store-rows.js';
import { APP_ROLE } from './migrations/rls.js';
import { TENANT_TABLES } from './schema.js';
import { openStore, type Store } from './store.js';

const DIALECTS = process.env.DATABASE_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/** SQLite's query plan of each statement, one text per statement. */
async function sqlitePlans(file: string, statements: string[]): Promise<string[]> {
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(file, { readonly: true });
  try {
    return statements.map((q) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail).join('; '),
    );
  } finally {
    db.close();
  }
}

/** The definitions of the indexes on stream_records in a PostgreSQL schema. */
async function postgresIndexes(schema: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    const { rows } = await c.query(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'stream_records'",
      [schema],
    );
    return rows.map((r) => String(r.indexdef));
  } finally {
    await c.end();
  }
}

describe.each(DIALECTS)('store (%s)', (dialect) => {
  let store: Store;
  let dataDir: string;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const config = () => ({
    dataDir,
    databaseUrl: dialect === 'postgres' ? process.env.DATABASE_URL : undefined,
    pgSchema: dialect === 'postgres' ? schema : undefined,
  });
  const a = randomUUID();
  const b = randomUUID();
  const aUser = userRow(a, `a-${a}@x.test`);
  const bUser = userRow(b, `b-${b}@x.test`);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'salescast-store-'));
    store = await openStore(config());
    await store.system.createTenant(tenantRow(a), aUser);
    await store.system.createTenant(tenantRow(b), bUser);
  });
  afterAll(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    // The PostgreSQL schema stays until the run ends (test/pg-schemas.ts drops it then).
  });

  it('runs migrations once: opening again applies nothing and keeps the rows', async () => {
    const again = await openStore(config());
    expect((await again.system.listTenants()).map((t) => t.id).sort()).toEqual([a, b].sort());
    await again.close();
  });

  it('scopes every repository to its tenant', async () => {
    const seen = await store.withTenant(a, async (r) => ({
      users: (await r.users.list()).map((u) => u.id),
      other: await r.users.get(bUser.id),
      tenant: (await r.tenant.get())?.id,
    }));
    expect(seen).toEqual({ users: [aUser.id], other: undefined, tenant: a });
  });

  it('counts exactly under 200 concurrent increments', async () => {
    await Promise.all(
      Array.from({ length: 200 }, () => store.withTenant(a, (r) => r.usage.add('2026-01', 'api_calls', 1))),
    );
    const counters = await store.withTenant(a, (r) => r.usage.read(['2026-01']));
    expect(counters['2026-01'].api_calls).toBe(200);
    const other = await store.withTenant(b, (r) => r.usage.read(['2026-01']));
    expect(other['2026-01']).toEqual({});
  });

  it('rolls a tenant transaction back as a whole', async () => {
    await expect(
      store.withTenant(a, async (r) => {
        await r.usage.add('2026-02', 'models', 5);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.withTenant(a, (r) => r.usage.read(['2026-02'])))['2026-02']).toEqual({});
  });

  it('reads streamed records by date and by arrival, through their own indexes', async () => {
    await store.withTenant(a, (r) =>
      r.streamRecords.upsert([
        streamRecordRow('s1', '2026-03-01', '2026-03-02T10:00:00.000Z'),
        streamRecordRow('s2', '2026-03-03', '2026-03-04T10:00:00.000Z'),
        streamRecordRow('s1', '2026-03-02', '2026-03-05T10:00:00.000Z'),
        streamRecordRow('s2', '2026-03-01', '2026-03-06T10:00:00.000Z'),
      ]),
    );
    await store.withTenant(b, (r) =>
      r.streamRecords.upsert([streamRecordRow('s1', '2026-03-09', '2026-03-09T10:00:00.000Z')]),
    );
    const keys = (rows: { series_id: string; date: string }[]) => rows.map((x) => `${x.series_id}@${x.date}`);
    const after = await store.withTenant(a, (r) => r.streamRecords.after('2026-03-01'));
    expect(keys(after)).toEqual(['s1@2026-03-02', 's2@2026-03-03']);
    const since = await store.withTenant(a, (r) => r.streamRecords.receivedSince('2026-03-04T10:00:00.000Z'));
    expect(keys(since)).toEqual(['s2@2026-03-01', 's1@2026-03-02', 's2@2026-03-03']);

    // The plans: each read seeks its index instead of scanning the tenant's records.
    const plans =
      dialect === 'sqlite'
        ? await sqlitePlans(join(dataDir, 'salescast.db'), [
            "SELECT * FROM stream_records WHERE tenant_id = 'x' AND date > '2026-01-01' ORDER BY date, received_at",
            "SELECT * FROM stream_records WHERE tenant_id = 'x' AND received_at >= '2026-01-01' ORDER BY date, received_at",
          ])
        : await postgresIndexes(schema);
    expect(plans.join('\n')).toContain('stream_records_by_date');
    expect(plans.join('\n')).toContain('stream_records_by_arrival');
    if (dialect === 'sqlite') expect(plans[0]).not.toContain('TEMP B-TREE');
  });

  it.runIf(dialect === 'postgres')('has RLS forced with a policy on every table', async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
                (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT LIKE 'kysely_migration%'`,
        [schema],
      );
      const lacking = rows.filter((r) => !r.rls || !r.forced || r.policies < 1).map((r) => r.table);
      expect(lacking).toEqual([]);
      expect(rows.map((r) => r.table).sort()).toEqual([...TENANT_TABLES].sort());
    } finally {
      await c.end();
    }
  });

  it.runIf(dialect === 'postgres')('lets the app role see and write only its tenant', async () => {
    const c = new pg.Client({
      connectionString: process.env.DATABASE_URL,
      options: `-c search_path=${schema}`,
    });
    await c.connect();
    const asTenant = async (tenant: string | null, q: string, params: unknown[] = []) => {
      await c.query('BEGIN');
      try {
        if (tenant) await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
        await c.query(`SET LOCAL ROLE ${APP_ROLE}`);
        const r = await c.query(q, params);
        await c.query('COMMIT');
        return r.rows;
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      }
    };
    try {
      expect((await asTenant(b, 'SELECT id FROM users')).map((r) => r.id)).toEqual([bUser.id]);
      expect((await asTenant(b, 'SELECT id FROM tenants')).map((r) => r.id)).toEqual([b]);
      // A bare query without a tenant setting sees nothing at all, even with no WHERE clause.
      expect(await asTenant(null, 'SELECT id FROM users')).toEqual([]);
      expect(
        await asTenant(b, `UPDATE users SET role = 'admin' WHERE id = $1 RETURNING id`, [aUser.id]),
      ).toEqual([]);
      await expect(
        asTenant(
          b,
          `INSERT INTO usage_counters (tenant_id, period, metric, value) VALUES ($1, 'p', 'm', 1)`,
          [a],
        ),
      ).rejects.toThrow(/row-level security/);
      await expect(asTenant(b, 'DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
      await expect(asTenant(b, `UPDATE audit_log SET outcome = 'x'`)).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }
  });
});
