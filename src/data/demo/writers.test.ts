import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_NAMES } from '../schema.js';
import { generateDemoRetailer } from './generate.js';
import { tableToCsv, tableToNdjson, writeDemoRetailer } from './writers.js';

const small = { stores: 2, products: 4, days: 60 };
const root = await mkdtemp(join(tmpdir(), 'salescast-demo-writers-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function readAll(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name));
  return out;
}

describe('tableToCsv / tableToNdjson', () => {
  const table = {
    source: 'products' as const,
    columns: ['product_id', 'name', 'category', 'department', 'unit_cost', 'base_price'],
    rows: [
      ['P1', 'Crisps, "salted"', 'Snacks', 'Grocery', 1.2, 2],
      ['P2', null, 'Dairy', 'Fresh', 0.75, 1.49],
    ],
  };

  it('quotes fields that need it and writes money with two decimals', () => {
    expect(tableToCsv(table)).toBe(
      'product_id,name,category,department,unit_cost,base_price\n' +
        'P1,"Crisps, ""salted""",Snacks,Grocery,1.20,2.00\n' +
        'P2,,Dairy,Fresh,0.75,1.49\n',
    );
  });

  it('writes one JSON object per line with null for empty fields', () => {
    const lines = tableToNdjson(table).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toEqual({
      product_id: 'P2',
      name: null,
      category: 'Dairy',
      department: 'Fresh',
      unit_cost: 0.75,
      base_price: 1.49,
    });
  });
});

describe('writeDemoRetailer', () => {
  it('writes byte-identical CSV files for the same seed, different ones for another seed', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const c = join(root, 'c');
    await writeDemoRetailer(generateDemoRetailer(small), a, 'csv');
    await writeDemoRetailer(generateDemoRetailer(small), b, 'csv');
    await writeDemoRetailer(generateDemoRetailer({ ...small, seed: 7 }), c, 'csv');
    const [fa, fb, fc] = await Promise.all([readAll(a), readAll(b), readAll(c)]);
    expect(Object.keys(fa)).toEqual([...SOURCE_NAMES.map((s) => `${s}.csv`), 'truth.json'].sort());
    expect(fb).toEqual(fa);
    expect(fc['sales.csv'].equals(fa['sales.csv'])).toBe(false);
    expect(fc['truth.json'].equals(fa['truth.json'])).toBe(false);
    // No staging folder is left next to the output.
    expect((await readdir(dirname(a))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('replaces other formats of the same sources but keeps unrelated files', async () => {
    const dir = join(root, 'switch');
    await writeDemoRetailer(generateDemoRetailer(small), dir, 'csv');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const retailer = generateDemoRetailer(small);
    const written = await writeDemoRetailer(retailer, dir, 'json');
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([...SOURCE_NAMES.map((s) => `${s}.ndjson`), 'notes.txt', 'truth.json'].sort());
    const sales = (await readFile(join(dir, 'sales.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(sales).toHaveLength(retailer.tables.sales.rows.length);
    expect(written.find((f) => f.source === 'sales')?.rows).toBe(retailer.tables.sales.rows.length);
  });

  it('writes Parquet with the schema types, byte-identical for the same seed', async () => {
    const a = join(root, 'pa');
    const b = join(root, 'pb');
    const retailer = generateDemoRetailer(small);
    await writeDemoRetailer(retailer, a, 'parquet');
    await writeDemoRetailer(generateDemoRetailer(small), b, 'parquet');
    const [fa, fb] = await Promise.all([readAll(a), readAll(b)]);
    expect(Object.keys(fa)).toHaveLength(9);
    expect(fb).toEqual(fa);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const sales = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, sum(units)::INTEGER AS units, typeof(any_value(date)) AS t FROM '${join(a, 'sales.parquet')}'`,
      );
      const total = retailer.tables.sales.rows.reduce((s, r) => s + (r[3] as number), 0);
      expect(sales.getRowObjects()[0]).toEqual({
        n: retailer.tables.sales.rows.length,
        units: total,
        t: 'DATE',
      });
      const promos = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM '${join(a, 'promotions.parquet')}' WHERE store_id IS NULL`,
      );
      const chainWide = retailer.tables.promotions.rows.filter((r) => r[2] === null).length;
      expect(promos.getRowObjects()[0]).toEqual({ n: chainWide });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
