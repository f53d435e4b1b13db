/**
 * A prepared-statement cache for the embedded SQLite database. Kysely's SQLite driver prepares
 * every query it runs, and for the platform's point queries parsing and planning the SQL costs
 * more than running it (in a profile of `GET /v1/usage`, better-sqlite3's `prepare` took 11.8% of
 * all CPU, twice the time spent running the queries). Kysely
 * compiles a query to the same SQL text each time with the values as parameters, so statements
 * are kept by their text and rebound on each run. SQLite re-plans a kept statement by itself after
 * a schema change, and better-sqlite3 reads the result's columns on every run.
 */
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { TtlLru } from '../core/ttl-lru.js';

/**
 * Distinct statements kept by default. A query with an `in (…)` list is one statement per list
 * length, so the bound, not the number of queries in the code, limits the memory held.
 */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/** The part of a better-sqlite3 database that Kysely's `SqliteDialect` uses. */
export interface PreparingDatabase {
  prepare(sql: string): Statement;
  close(): void;
}

/**
 * `database` with `prepare` answered from a least-recently-used cache of at most `maxEntries`
 * statements. A cached statement still being iterated (a streamed query) is never handed out
 * twice: that call gets a fresh one.
 */
export function cachingStatements(
  database: SqliteDatabase,
  maxEntries = DEFAULT_STATEMENT_CACHE_SIZE,
): PreparingDatabase {
  // A statement stays until it is the least recently used past the bound: there is no TTL.
  const statements = new TtlLru<Statement>(maxEntries, Number.POSITIVE_INFINITY);
  return {
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached) return cached.busy ? database.prepare(sql) : cached;
      const stmt = database.prepare(sql);
      statements.set(sql, stmt);
      return stmt;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
