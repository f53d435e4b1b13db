import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshOut, withLines, writeSources } from '../../../test/fixtures/ingest-sources.js';
import { SalescastError } from '../../core/errors.js';
import { readTable } from '../duckdb.js';
import { ingestSources } from './index.js';

async function failure(p: Promise<unknown>): Promise<SalescastError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SalescastError);
    return e as SalescastError;
  }
  throw new Error('expected a SalescastError');
}

describe('ingestSources', () => {
  it('writes panel.parquet and report.json and reports progress up to the total', async () => {
    const out = await freshOut();
    const calls: [number, number][] = [];
    const r = await ingestSources({
      sources: await writeSources(),
      out,
      onProgress: (d, t) => calls.push([d, t]),
    });
    expect((await readdir(out)).sort()).toEqual(['panel.parquet', 'report.json']);
    expect(r.panelPath).toBe(join(out, 'panel.parquet'));
    expect((await readTable(r.panelPath)).rows).toBe(16);
    expect(calls.at(-1)).toEqual([18, 18]);
    expect(calls.map((c) => c[0])).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
  });

  it('accepts a garbage row (exit 0) but fails in strict mode naming file and line, writing nothing', async () => {
    const dir = await writeSources({
      'sales.csv': withLines('sales.csv', 'garbage,garbage,garbage,garbage,not-a-date'),
    });
    const ok = await ingestSources({ sources: dir, out: await freshOut() });
    expect(ok.report.sources.sales.rejections).toEqual([
      { reason: 'invalid_date', column: 'date', count: 1, lines: [15], lines_truncated: false },
    ]);
    const out = await freshOut();
    const e = await failure(ingestSources({ sources: dir, out, strict: true }));
    expect([e.code, e.exitCode]).toEqual(['REJECTED_ROWS', 2]);
    expect(e.message).toMatch(/^sales\.csv:15: row rejected \(invalid_date in column 'date'\)/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('maps column names through a CONFIG.yaml', async () => {
    const dir = await writeSources({
      'sales.csv': null,
      'pos/export.csv': withLines('sales.csv')
        .replace('store_id,product_id,date,units,revenue', 'Shop;SKU;Day;Qty;Turnover')
        .replaceAll(',', ';'),
    });
    await writeFile(
      join(dir, 'CONFIG.yaml'),
      [
        'sources:',
        '  sales:',
        '    path: pos/export.csv',
        '    columns: { store_id: Shop, product_id: SKU, date: Day, units: Qty, revenue: Turnover }',
        '  products: products.csv',
        '  stores: stores.csv',
        '  weather: weather.csv',
      ].join('\n'),
    );
    const r = await ingestSources({ sources: join(dir, 'CONFIG.yaml'), out: await freshOut() });
    expect(r.report.sources.sales).toMatchObject({
      file: 'pos/export.csv',
      rows_accepted: 13,
      rows_rejected: 0,
    });
    expect(r.report.sources.sales.columns).toMatchObject({ store_id: 'Shop', units: 'Qty' });
    expect(r.report.sources.prices.status).toBe('absent');
    expect(r.report.panel.rows).toBe(16);
  });

  it('leaves an existing good output byte-for-byte untouched when a run fails', async () => {
    const out = await freshOut();
    await ingestSources({ sources: await writeSources(), out });
    const before = [await readFile(join(out, 'panel.parquet')), await readFile(join(out, 'report.json'))];
    const cut = withLines('sales.csv')
      .replace(/^store_id,/gm, '')
      .replace(/^S\d,/gm, '');
    const e = await failure(ingestSources({ sources: await writeSources({ 'sales.csv': cut }), out }));
    expect(e.code).toBe('MISSING_COLUMN');
    expect(e.message).toBe("sales.csv: required column 'store_id' is missing");
    expect(await readFile(join(out, 'panel.parquet'))).toEqual(before[0]);
    expect(await readFile(join(out, 'report.json'))).toEqual(before[1]);
    expect((await readdir(dirname(out))).sort()).toEqual(['out']);
  });

  it('refuses an output folder that holds other files or the sources', async () => {
    const dir = await writeSources();
    expect((await failure(ingestSources({ sources: dir, out: dir }))).code).toBe('INVALID_ARGUMENT');
    const other = await freshOut();
    await mkdir(other);
    await writeFile(join(other, 'keep.txt'), 'mine');
    const e = await failure(ingestSources({ sources: dir, out: other }));
    expect(e.message).toContain('keep.txt');
    expect(await readFile(join(other, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('fails with exit code 2 when no sales row is valid', async () => {
    const sales = 'store_id,product_id,date,units,revenue\nS1,P1,yesterday,1,1';
    const e = await failure(
      ingestSources({ sources: await writeSources({ 'sales.csv': sales }), out: await freshOut() }),
    );
    expect([e.code, e.exitCode]).toEqual(['INVALID_DATA', 2]);
    expect(e.message).toContain('sales.csv');
  });

  it('never throws anything but a SalescastError with exit code 2 on a random sales file', async () => {
    const dir = await writeSources();
    const valid = withLines('sales.csv');
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 120 }).map((s) => `store_id,product_id,date,units,revenue\n${s}`),
      fc.nat(valid.length).map((n) => valid.slice(0, n)),
    );
    await fc.assert(
      fc.asyncProperty(content, async (c) => {
        await writeFile(join(dir, 'sales.csv'), c);
        try {
          const r = await ingestSources({ sources: dir, out: await freshOut() });
          expect(r.report.sources.sales.rows_accepted).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(SalescastError);
          expect((e as SalescastError).exitCode).toBe(2);
        }
      }),
      { numRuns: 8, seed: 7 },
    );
  });
});
