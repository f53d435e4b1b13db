/**
 * Opens the platform database: embedded SQLite under the data directory by default, PostgreSQL
 * when a URL is given. Both dialects share one Kysely schema (`schema.ts`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { cachingStatements } from './statement-cache.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DbConfig {
  /** Folder of the embedded database file `salescast.db`; used when `databaseUrl` is unset. */
  dataDir: string;
  /** `postgres://…`: use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /**
   * PostgreSQL schema to work in (created if missing). Tests give each file its own schema so
   * that runs never see each other's rows; production leaves it unset (`public`).
   */
  pgSchema?: string;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  /** The PostgreSQL schema in use (undefined for SQLite). */
  readonly pgSchema: string | undefined;
  destroy(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Creates the connection (pool) for `config`; nothing is queried until first use. */
export function createDb(config: DbConfig): Db {
  if (config.databaseUrl) return createPostgres(config.databaseUrl, config.pgSchema);
  mkdirSync(config.dataDir, { recursive: true });
  const database = new SQLite(join(config.dataDir, 'salescast.db'));
  // WAL lets readers proceed during a write; a busy timeout rides over another process's write.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
  });
  return { kysely, dialect: 'sqlite', pgSchema: undefined, destroy: () => kysely.destroy() };
}

function createPostgres(url: string, schema: string | undefined): Db {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name '${schema}'`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Counters and byte sizes are bigint; they stay far below 2^53, so plain numbers are exact.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', pgSchema: schema ?? 'public', destroy: () => kysely.destroy() };
}
