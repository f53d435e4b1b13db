import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { detectFormat, readTable, sqlIdentifier, sqlString, withDuckDb } from './duckdb.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'salescast-duckdb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

async function failure(p: Promise<unknown>): Promise<SalescastError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SalescastError);
    return e as SalescastError;
  }
  throw new Error('expected a SalescastError');
}

describe('helpers', () => {
  it('quotes SQL literals and identifiers', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlIdentifier('a "b"')).toBe('"a ""b"""');
  });

  it('detects formats by extension, case-insensitively', () => {
    expect(detectFormat('x/Sales.CSV')).toBe('csv');
    expect(detectFormat('a.parquet')).toBe('parquet');
    expect(detectFormat('a.json')).toBe('json');
    expect(detectFormat('a.ndjson')).toBe('ndjson');
    expect(detectFormat('a.jsonl')).toBe('ndjson');
    expect(detectFormat('a.xlsx')).toBeUndefined();
  });

  it('closes the connection when the callback throws', async () => {
    await expect(withDuckDb(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withDuckDb(async (c) => (await c.runAndReadAll('SELECT 41 + 1 AS x')).getRows()[0][0])).toBe(
      42,
    );
  });
});

describe('readTable', () => {
  it('reads CSV with numeric columns as Float64Array and text as strings', async () => {
    const p = await file('a.csv', 'id,units,when\nA,1.5,2024-01-01\nB,,2024-01-02\n');
    const t = await readTable(p);
    expect(t.columns).toEqual(['id', 'units', 'when']);
    expect(t.rows).toBe(2);
    expect(t.get('id')).toEqual(['A', 'B']);
    const units = t.get('units') as Float64Array;
    expect(units).toBeInstanceOf(Float64Array);
    expect(units[0]).toBe(1.5);
    expect(Number.isNaN(units[1])).toBe(true);
    expect(t.get('when')).toEqual(['2024-01-01', '2024-01-02']);
  });

  it('reads every cell as text with allVarchar', async () => {
    const p = await file('b.csv', 'id,units\nA,007\n');
    const t = await readTable(p, { allVarchar: true });
    expect(t.get('units')).toEqual(['007']);
  });

  it('reads NDJSON, JSON arrays and Parquet', async () => {
    const nd = await file('c.ndjson', '{"id":"A","v":1}\n{"id":"B","v":2.5}\n');
    expect((await readTable(nd)).get('v')).toEqual(new Float64Array([1, 2.5]));
    const js = await file('d.json', '[{"id":"A","v":3}]');
    expect((await readTable(js, { allVarchar: true })).get('v')).toEqual(['3']);
    const pq = join(dir, 'e.parquet');
    await withDuckDb(async (c) => {
      await c.run(
        `COPY (SELECT 'S1' AS store_id, DATE '2024-02-03' AS date, 4.25 AS v) TO ${sqlString(pq)} (FORMAT parquet)`,
      );
    });
    const t = await readTable(pq);
    expect(t.get('date')).toEqual(['2024-02-03']);
    expect(t.get('v')).toEqual(new Float64Array([4.25]));
  });

  it('names the file for a missing, empty, binary or unknown-type source', async () => {
    expect((await failure(readTable(join(dir, 'nope.csv')))).code).toBe('SOURCE_NOT_FOUND');
    const empty = await failure(readTable(await file('empty.csv', '')));
    expect(empty.code).toBe('SOURCE_EMPTY');
    expect(empty.message).toContain('empty.csv');
    expect((await failure(readTable(await file('hdr.csv', 'a,b\n')))).code).toBe('SOURCE_EMPTY');
    const bin = await failure(readTable(await file('bin.csv', Buffer.from([0, 1, 2, 255, 10, 0]))));
    expect(bin.code).toBe('SOURCE_UNREADABLE');
    expect(bin.message).toContain('bin.csv');
    const pq = await failure(readTable(await file('bad.parquet', 'not parquet at all')));
    expect(pq.code).toBe('SOURCE_UNREADABLE');
    expect((await failure(readTable(await file('x.xlsx', 'a')))).code).toBe('SOURCE_UNREADABLE');
    expect(empty.exitCode).toBe(2);
  });

  it('names the file and column when a required column is missing', async () => {
    const p = await file('sales.csv', 'product_id,date\nP1,2024-01-01\n');
    const e = await failure(readTable(p, { required: ['store_id'] }));
    expect(e.code).toBe('MISSING_COLUMN');
    expect(e.message).toContain('sales.csv');
    expect(e.message).toContain('store_id');
    const t = await readTable(p);
    expect(() => t.get('units')).toThrow(/units/);
  });
});
