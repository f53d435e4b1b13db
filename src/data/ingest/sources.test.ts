import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { planSources } from './sources.js';

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'salescast-plan-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
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

describe('planSources: folders', () => {
  it('finds sources by name case-insensitively, in any supported format', async () => {
    const dir = await folder({
      'Sales.CSV': '',
      'products.parquet': '',
      'stores.jsonl': '',
      'weather.json': '',
      'notes.txt': '',
    });
    const plan = await planSources(dir);
    expect(Object.keys(plan.files).sort()).toEqual(['products', 'sales', 'stores', 'weather']);
    expect(plan.files.sales).toMatchObject({
      file: 'Sales.CSV',
      format: 'csv',
      path: join(dir, 'Sales.CSV'),
    });
    expect(plan.files.stores?.format).toBe('ndjson');
    expect(plan.files.weather?.format).toBe('json');
    expect(plan.frequency).toBeUndefined();
  });

  it('names the expected file of a missing required source', async () => {
    const e = await failure(planSources(await folder({ 'sales.csv': '', 'stores.csv': '' })));
    expect(e.code).toBe('SOURCE_NOT_FOUND');
    expect(e.message).toMatch(/^products\.csv: required source 'products' not found/);
    expect(e.exitCode).toBe(2);
  });

  it('refuses two files for one source and a missing folder', async () => {
    const dir = await folder({ 'sales.csv': '', 'sales.parquet': '', 'products.csv': '', 'stores.csv': '' });
    expect((await failure(planSources(dir))).message).toContain('sales.csv, sales.parquet');
    const missing = await failure(planSources(join(dir, 'nope')));
    expect(missing.code).toBe('SOURCE_NOT_FOUND');
    expect(missing.message).toContain('nope');
  });
});

describe('planSources: CONFIG.yaml', () => {
  const config = (body: string) => folder({ 'conf/CONFIG.yaml': body });

  it('resolves paths against the config, maps columns and reads options', async () => {
    const dir = await config(
      [
        'frequency: week',
        "date_format: '%d/%m/%Y'",
        'sources:',
        '  sales:',
        '    path: ../exports/pos.txt',
        '    format: csv',
        '    columns: { store_id: shop, product_id: sku, units: qty }',
        '  products: master/items.parquet',
        '  stores:',
        '    path: stores.json',
        "    date_format: '%Y%m%d'",
      ].join('\n'),
    );
    const plan = await planSources(join(dir, 'conf/CONFIG.yaml'));
    expect(plan.frequency).toBe('week');
    expect(plan.files.sales).toMatchObject({
      path: join(dir, 'exports/pos.txt'),
      file: '../exports/pos.txt',
      format: 'csv',
      columns: { store_id: 'shop', product_id: 'sku', units: 'qty' },
      dateFormat: '%d/%m/%Y',
    });
    expect(plan.files.products).toMatchObject({ format: 'parquet', columns: {} });
    expect(plan.files.stores?.dateFormat).toBe('%Y%m%d');
  });

  it('names the offending key of an invalid config', async () => {
    const base = ['sources:', '  sales: s.csv', '  products: p.csv', '  stores: st.csv'];
    const cases: [string[], string][] = [
      [['colour: blue', ...base], "unknown key 'colour'"],
      [[...base, '  sales2: x.csv'], "unknown source 'sales2'"],
      [
        [...base.slice(0, 1), '  sales:', '    path: s.csv', '    sep: ";"', ...base.slice(2)],
        "unknown key 'sources.sales.sep'",
      ],
      [
        [...base.slice(0, 1), '  sales:', '    path: s.csv', '    columns: { qty: units }', ...base.slice(2)],
        "unknown column 'sources.sales.columns.qty'",
      ],
      [['frequency: month', ...base], "'frequency' must be day or week"],
      [[...base.slice(0, 3)], "required source 'sources.stores' is missing"],
      [[...base.slice(0, 1), '  sales: s.xlsx', ...base.slice(2)], "'sources.sales.format' must be one of"],
      [['sources: [1, 2'], 'not valid YAML'],
    ];
    for (const [lines, message] of cases) {
      const dir = await config(lines.join('\n'));
      const e = await failure(planSources(join(dir, 'conf/CONFIG.yaml')));
      expect([e.code, e.message]).toEqual(['INVALID_CONFIG', expect.stringContaining(message)]);
      expect(e.message.startsWith('CONFIG.yaml: ')).toBe(true);
    }
  });
});
