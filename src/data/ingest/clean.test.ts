import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshOut, withLines, writeSources } from '../../../test/fixtures/ingest-sources.js';
import { readTable } from '../duckdb.js';
import { ingestSources } from './index.js';

/** Panel rows keyed `store|product|date` → the requested columns. */
async function panelRows(out: string, columns: string[]): Promise<Map<string, unknown[]>> {
  const t = await readTable(join(out, 'panel.parquet'));
  const [s, p, d] = [t.get('store_id'), t.get('product_id'), t.get('date')];
  const cols = columns.map((c) => t.get(c));
  const rows = new Map<string, unknown[]>();
  for (let i = 0; i < t.rows; i++)
    rows.set(
      `${s[i]}|${p[i]}|${d[i]}`,
      cols.map((c) => c[i]),
    );
  return rows;
}

/** The panel of the unchanged base sources, built once. */
let base: { out: string; stockoutRows: number };
beforeAll(async () => {
  const out = await freshOut();
  const r = await ingestSources({ sources: await writeSources(), out });
  base = { out, stockoutRows: r.report.panel.stockout_rows };
});

describe('gap filling', () => {
  it('tells observed, no-sale and missing periods apart', async () => {
    const rows = await panelRows(base.out, ['units', 'revenue', 'sales_status']);
    expect(rows.size).toBe(16);
    expect(rows.get('S1|P1|2024-01-01')).toEqual([5, 6, 'observed']);
    // S2 sold P2 zero units on day 1: a row with units 0 is an observed zero.
    expect(rows.get('S2|P2|2024-01-01')).toEqual([0, 0, 'observed']);
    // S1 reported P1 but not P2 on day 4: no sale.
    expect(rows.get('S1|P2|2024-01-04')).toEqual([0, 0, 'no_sale']);
    // S2 reported nothing on day 3: an outage, units unknown.
    const [units, revenue, status] = rows.get('S2|P1|2024-01-03') as [number, number, string];
    expect([Number.isNaN(units), Number.isNaN(revenue), status]).toEqual([true, true, 'missing']);
    expect(rows.get('S2|P2|2024-01-03')?.[2]).toBe('missing');
  });

  it('marks the period of a rejected sales row missing, not no-sale', async () => {
    const out = await freshOut();
    const sales = withLines('sales.csv', 'S1,P2,2024-01-04,-3,0');
    const r = await ingestSources({ sources: await writeSources({ 'sales.csv': sales }), out });
    expect(r.report.sources.sales.rejections[0]).toMatchObject({ reason: 'out_of_range', lines: [15] });
    const rows = await panelRows(out, ['sales_status']);
    expect(rows.get('S1|P2|2024-01-04')).toEqual(['missing']);
    expect(r.report.panel.status_counts).toEqual({ observed: 13, no_sale: 0, missing: 3 });
  });

  it('starts each series at its first sale and runs every series to the last date', async () => {
    const out = await freshOut();
    const sales = withLines('sales.csv', 'S1,P3,2024-01-03,1,1');
    const products = withLines('products.csv', 'P3,Tea,Drinks,Dry,1,3');
    const r = await ingestSources({
      sources: await writeSources({ 'sales.csv': sales, 'products.csv': products }),
      out,
    });
    const rows = await panelRows(out, ['sales_status']);
    expect(rows.has('S1|P3|2024-01-02')).toBe(false);
    expect(rows.get('S1|P3|2024-01-03')).toEqual(['observed']);
    expect(rows.get('S1|P3|2024-01-04')).toEqual(['no_sale']);
    expect(r.report.panel).toMatchObject({ rows: 18, series: 5 });
  });
});

describe('stockouts', () => {
  it('flags periods that ended with no stock, and leaves unknown ones null', async () => {
    const rows = await panelRows(base.out, ['stockout', 'stock_on_hand', 'receipts']);
    expect(rows.get('S1|P1|2024-01-02')).toEqual(['true', 0, 0]);
    expect(rows.get('S1|P1|2024-01-01')).toEqual(['false', 10, 0]);
    expect(rows.get('S1|P2|2024-01-02')).toEqual(['false', 5, 6]);
    const unknown = rows.get('S2|P1|2024-01-01') as unknown[];
    expect(unknown[0]).toBeNull();
    expect(base.stockoutRows).toBe(1);
  });
});

const WEEKLY = {
  'sales.csv': [
    'store_id,product_id,date,units,revenue',
    'S1,P1,2024-01-01,30,36',
    'S1,P1,2024-01-08,20,24',
    'S1,P1,2024-01-15,25,30',
    'S2,P1,2024-01-01,1,1',
    'S2,P1,2024-01-08,4,4',
  ].join('\n'),
  // S2 opens on Wednesday 2024-01-10: its week of 2024-01-08 counts, the week before does not.
  'stores.csv': [
    'store_id,name,type,size_sqm,region,opening_date',
    'S1,North,supermarket,1200,north,2020-01-01',
    'S2,South,express,300,south,2024-01-10',
  ].join('\n'),
  'prices.csv': [
    'store_id,product_id,date,price,discount_pct',
    'S1,P1,2024-01-01,1.0,0',
    'S1,P1,2024-01-03,2.0,20',
    'S1,P1,2024-01-09,1.5,',
  ].join('\n'),
  'inventory.csv': [
    'store_id,product_id,date,stock_on_hand,receipts',
    'S1,P1,2024-01-01,5,10',
    'S1,P1,2024-01-02,0,0',
    'S1,P1,2024-01-07,8,12',
    'S1,P1,2024-01-08,4,0',
  ].join('\n'),
  'weather.csv': ['region,date,temp_c,precip_mm', 'north,2024-01-01,2,1', 'north,2024-01-05,4,2.5'].join(
    '\n',
  ),
  'promotions.csv': [
    'promo_id,product_id,store_id,promo_type,start_date,end_date',
    'PR1,P1,,flyer,2024-01-07,2024-01-09',
  ].join('\n'),
};

describe('weekly frequency', () => {
  it('infers weeks from Monday-only sales and aggregates daily drivers to the week', async () => {
    const out = await freshOut();
    const r = await ingestSources({ sources: await writeSources(WEEKLY), out });
    expect(r.report.frequency).toBe('week');
    expect(r.report.frequency_source).toBe('inferred');
    expect(r.report.sources.sales.rejections).toMatchObject([{ reason: 'before_opening', lines: [5] }]);
    expect(r.report.panel).toMatchObject({
      rows: 5,
      periods: 3,
      first_date: '2024-01-01',
      last_date: '2024-01-15',
    });
    const rows = await panelRows(out, [
      'price',
      'discount_pct',
      'stock_on_hand',
      'receipts',
      'stockout',
      'temp_c',
      'precip_mm',
      'on_promo',
      'is_holiday',
      'holiday_name',
    ]);
    // Week of Jan 1: mean price, stock at the week's last reported day, receipts summed, a
    // stockout on Jan 2, mean temperature, summed rain, a promotion that starts on Sunday Jan 7.
    expect(rows.get('S1|P1|2024-01-01')).toEqual([
      1.5,
      10,
      8,
      22,
      'true',
      3,
      3.5,
      'true',
      'true',
      'New Year',
    ]);
    expect(rows.get('S1|P1|2024-01-08')?.slice(0, 5)).toEqual([1.5, 0, 4, 0, 'false']);
    expect(rows.get('S1|P1|2024-01-08')?.[7]).toBe('true');
    expect(rows.get('S1|P1|2024-01-15')?.[7]).toBe('false');
    expect([
      rows.has('S2|P1|2024-01-01'),
      rows.has('S2|P1|2024-01-08'),
      rows.has('S2|P1|2024-01-15'),
    ]).toEqual([false, true, true]);
  });

  it('rejects non-Monday sales when weeks are declared', async () => {
    const dir = await writeSources();
    await writeFile(
      join(dir, 'CONFIG.yaml'),
      [
        'frequency: week',
        'sources:',
        '  sales: sales.csv',
        '  products: products.csv',
        '  stores: stores.csv',
      ].join('\n'),
    );
    const r = await ingestSources({ sources: join(dir, 'CONFIG.yaml'), out: await freshOut() });
    expect(r.report.frequency_source).toBe('config');
    const group = r.report.sources.sales.rejections.find((g) => g.reason === 'not_week_start');
    // Lines 2–5 are Monday Jan 1 and are kept; the nine rows dated Jan 2–4 are rejected.
    expect(group?.lines).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(r.report.panel).toMatchObject({ rows: 4, periods: 1 });
  });
});
