import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { withDuckDb } from '../duckdb.js';
import type { SourceName } from '../schema.js';
import { type LoadedSource, loadSource } from './read.js';
import type { SourceFile } from './sources.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'salescast-read-'));
});

async function sourceFile(
  name: string,
  content: string | Buffer,
  source: SourceName = 'sales',
  columns: Record<string, string> = {},
): Promise<SourceFile> {
  const path = join(dir, name);
  await writeFile(path, content);
  const ext = name.split('.').pop() as string;
  const format = ext === 'jsonl' ? 'ndjson' : (ext as SourceFile['format']);
  return { source, path, file: name, format, columns };
}

/** Loads `f` and returns the load summary plus the rows of src_<source> as [line, ...columns]. */
async function load(f: SourceFile): Promise<{ loaded: LoadedSource; rows: unknown[][] }> {
  return withDuckDb(async (conn) => {
    const loaded = await loadSource(conn, f);
    const rows = (await conn.runAndReadAll(`SELECT * FROM ${loaded.table} ORDER BY __line`)).getRowsJS();
    return { loaded, rows: rows.map((r) => [Number(r[0]), ...r.slice(1)]) };
  });
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

const HEADER = 'store_id,product_id,date,units,revenue';

describe('loadSource', () => {
  it('gives each CSV row its physical line despite empty lines, multi-line fields and bad rows', async () => {
    const csv = [
      HEADER,
      'S1,P1,2024-01-01,1,1',
      '',
      'S1,"P\n2",2024-01-01,2,2',
      'S1,P3',
      'S1,P4,2024-01-01,4,4',
      '',
    ].join('\n');
    const { loaded, rows } = await load(await sourceFile('odd.csv', csv));
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      [2, 'P1'],
      [4, 'P\n2'],
      [7, 'P4'],
    ]);
    expect(loaded.wrongFieldCount).toEqual([6]);
    expect(loaded).toMatchObject({ rowsRead: 4, exactLines: true, lineBasis: 'line' });
  });

  it('keeps every cell as written, as text', async () => {
    const { rows } = await load(await sourceFile('text.csv', `${HEADER}\nS1,007,2024-01-01,01.50,\n`));
    expect(rows).toEqual([[2, 'S1', '007', '2024-01-01', '01.50', null]]);
  });

  it('maps columns by config, then by name case-insensitively, and lists the rest as ignored', async () => {
    const f = await sourceFile('pos.csv', 'Shop,SKU,Day,Qty,Extra\nS1,P1,2024-01-01,3,x\n', 'sales', {
      store_id: 'Shop',
      product_id: 'SKU',
      units: 'Qty',
    });
    await expect(load(f)).rejects.toThrow("pos.csv: required column 'date' is missing");
    const g = { ...f, columns: { ...f.columns, date: 'Day' } };
    const { loaded, rows } = await load(g);
    expect(rows).toEqual([[2, 'S1', 'P1', '2024-01-01', '3', null]]);
    expect(loaded.columnsFound).toEqual(['store_id', 'product_id', 'date', 'units']);
    expect(loaded.ignoredColumns).toEqual(['Extra']);
    const lower = await sourceFile('upper.csv', 'STORE_ID,Product_Id,DATE,Units\nS1,P1,2024-01-01,3\n');
    expect((await load(lower)).rows).toEqual([[2, 'S1', 'P1', '2024-01-01', '3', null]]);
  });

  it('reads NDJSON by line, and JSON arrays and Parquet by record number + 1 (as if with a header)', async () => {
    const nd = await sourceFile(
      'sales.ndjson',
      '{"store_id":"S1","product_id":"P1","date":"2024-01-01","units":2}\n\n{"store_id":"S2","product_id":"P1","date":"2024-01-01","units":2.5}\n',
    );
    const a = await load(nd);
    expect(a.rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      [1, 'S1', '2.0'],
      [3, 'S2', '2.5'],
    ]);
    const js = await sourceFile(
      'sales.json',
      '[{"store_id":"S1","product_id":"P1","date":"2024-01-01","units":1}]',
    );
    const j = await load(js);
    expect(j.loaded.lineBasis).toBe('record');
    expect(j.rows[0][0]).toBe(2);
    const pq = join(dir, 'sales.parquet');
    await withDuckDb(async (c) => {
      await c.run(
        `COPY (SELECT 'S1' AS store_id, 'P1' AS product_id, DATE '2024-01-02' AS date, 3.0 AS units) TO '${pq}' (FORMAT parquet)`,
      );
    });
    const p = await load({
      source: 'sales',
      path: pq,
      file: 'sales.parquet',
      format: 'parquet',
      columns: {},
    });
    expect(p.rows).toEqual([[2, 'S1', 'P1', '2024-01-02', '3.0', null]]);
  });

  it('names the physical line of the first NDJSON record that is not JSON, blank lines counted', async () => {
    const good = '{"store_id":"S1","product_id":"P1","date":"2024-01-01","units":2}';
    for (const [body, line, detail] of [
      [`{"store_id": oops}\n${good}\n`, 1, /^sales\.ndjson:1: not valid JSON \(/],
      [`${good}\n\n{"store_id":\n`, 3, /^sales\.ndjson:3: not valid JSON \(/],
      [`${good}\n[1, 2]\n`, 2, /^sales\.ndjson:2: a record must be a JSON object\.$/],
    ] as const) {
      const e = await failure(load(await sourceFile('sales.ndjson', body)));
      expect(e.code).toBe('SOURCE_UNREADABLE');
      expect(e.location).toEqual({ file: 'sales.ndjson', line });
      expect(e.message).toMatch(detail);
    }
  });

  it('names the file and column of a missing required or mapped column', async () => {
    const cut = await sourceFile('sales.csv', 'product_id,date,units\nP1,2024-01-01,1\n');
    const e = await failure(load(cut));
    expect(e.code).toBe('MISSING_COLUMN');
    expect(e.message).toBe("sales.csv: required column 'store_id' is missing");
    const mapped = await sourceFile('m.csv', `${HEADER}\nS1,P1,2024-01-01,1,1\n`, 'sales', {
      revenue: 'turnover',
    });
    expect((await failure(load(mapped))).message).toContain("column 'turnover' (mapped to 'revenue'");
  });

  it('fails with exit code 2 for empty, header-only, binary, non-UTF-8 and corrupt files', async () => {
    const cases: [string, string | Buffer, string][] = [
      ['empty.csv', '', 'SOURCE_EMPTY'],
      ['header.csv', `${HEADER}\n`, 'SOURCE_EMPTY'],
      ['binary.csv', Buffer.from([0x53, 0, 1, 2, 0xff, 10, 0]), 'SOURCE_UNREADABLE'],
      ['latin1.csv', Buffer.from(`${HEADER}\nS\xe9,P1,2024-01-01,1,1\n`, 'latin1'), 'SOURCE_UNREADABLE'],
      ['broken.parquet', 'PAR1 not really', 'SOURCE_UNREADABLE'],
      ['broken.json', '[{"store_id": ', 'SOURCE_UNREADABLE'],
    ];
    for (const [name, content, code] of cases) {
      const e = await failure(load(await sourceFile(name, content)));
      expect([name, e.code]).toEqual([name, code]);
      expect(e.message).toContain(name);
      expect(e.exitCode).toBe(2);
    }
    const missing = {
      source: 'sales',
      path: join(dir, 'nope.csv'),
      file: 'nope.csv',
      format: 'csv',
      columns: {},
    };
    expect((await failure(load(missing as SourceFile))).code).toBe('SOURCE_NOT_FOUND');
  });

  it('never throws anything but a SalescastError with exit code 2 on random or truncated input', async () => {
    const valid = `${HEADER}\nS1,P1,2024-01-01,1,1\nS1,P2,2024-01-02,2,2\n`;
    const content = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 200 }),
      fc
        .array(
          fc.array(fc.constantFrom('S1', 'P1', '', '"', '1.5', 'x', '2024-01-01', ';', ','), {
            maxLength: 6,
          }),
          {
            maxLength: 6,
          },
        )
        .map((rows) => `${HEADER}\n${rows.map((r) => r.join(',')).join('\n')}`),
      fc.nat(valid.length).map((n) => valid.slice(0, n)),
    );
    let i = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom('csv', 'json', 'ndjson', 'parquet'), async (c, ext) => {
        const f = await sourceFile(`fuzz-${i++}.${ext}`, c);
        try {
          const { loaded } = await load(f);
          expect(loaded.rowsRead).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(SalescastError);
          expect((e as SalescastError).exitCode).toBe(2);
        }
      }),
      { numRuns: 30, seed: 20261127 },
    );
  });
});
