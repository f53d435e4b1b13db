import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cachingStatements } from './statement-cache.js';

describe('cachingStatements', () => {
  let database: SQLite.Database;
  beforeEach(() => {
    database = new SQLite(':memory:');
    database.exec('create table t (id integer primary key, name text)');
    database.exec("insert into t (id, name) values (1, 'a'), (2, 'b'), (3, 'c')");
  });
  afterEach(() => {
    if (database.open) database.close();
  });

  it('prepares each SQL text once and rebinds its parameters on every run', () => {
    const prepare = vi.spyOn(database, 'prepare');
    const db = cachingStatements(database);
    const select = 'select name from t where id = ?';
    expect(db.prepare(select).all([1])).toEqual([{ name: 'a' }]);
    expect(db.prepare(select).all([3])).toEqual([{ name: 'c' }]);
    expect(db.prepare(select)).toBe(db.prepare(select));
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(db.prepare('update t set name = ? where id = ?').run(['z', 2]).changes).toBe(1);
    expect(db.prepare(select).all([2])).toEqual([{ name: 'z' }]);
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries statements, dropping the least recently used', () => {
    const prepare = vi.spyOn(database, 'prepare');
    const db = cachingStatements(database, 2);
    const [a, b, c] = ['select 1 as v', 'select 2 as v', 'select 3 as v'];
    const first = db.prepare(a);
    db.prepare(b);
    expect(db.prepare(a)).toBe(first); // a is now more recent than b
    db.prepare(c); // evicts b
    expect(db.prepare(a)).toBe(first);
    expect(prepare).toHaveBeenCalledTimes(3);
    db.prepare(b);
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it('answers a kept select with the columns added after it was prepared', () => {
    const db = cachingStatements(database);
    expect(db.prepare('select * from t where id = ?').all([1])).toEqual([{ id: 1, name: 'a' }]);
    db.prepare('alter table t add column size integer').run([]);
    expect(db.prepare('select * from t where id = ?').all([1])).toEqual([{ id: 1, name: 'a', size: null }]);
  });

  it('hands out a fresh statement while the cached one is still being iterated', () => {
    const db = cachingStatements(database);
    const sql = 'select id from t where id >= ? order by id';
    const outer = db.prepare(sql).iterate([1]) as IterableIterator<{ id: number }>;
    expect(outer.next().value).toEqual({ id: 1 });
    // Without the fresh statement better-sqlite3 throws "This statement is busy executing a query".
    expect(db.prepare(sql).all([3])).toEqual([{ id: 3 }]);
    expect([...outer]).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('closes the database', () => {
    cachingStatements(database).close();
    expect(database.open).toBe(false);
  });
});
