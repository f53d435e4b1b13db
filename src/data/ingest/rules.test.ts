import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshOut, withLines, writeSources } from '../../../test/fixtures/ingest-sources.js';
import { type IngestResult, ingestSources, REJECTION_REASONS } from './index.js';

/** One run with an error planted for (almost) every rule; each test reads its part of the report. */
let result: IngestResult;

beforeAll(async () => {
  const dir = await writeSources({
    'stores.csv': withLines(
      'stores.csv',
      'S3,,express,abc,east,2021-01-01', // 4 invalid_number size_sqm
      'S4,X,express,-5,east,2021-01-01', // 5 out_of_range size_sqm
      'S5,X,express,100,east,2021-13-01', // 6 invalid_date opening_date
      'S1,North,supermarket,1200,north,2020-01-01', // 7 exact duplicate of line 2
      'S1,Other,express,50,north,2020-01-01', // 8 duplicate_key
    ),
    'products.csv': withLines(
      'products.csv',
      'P3,Eggs,,Fresh,1,2', // 4 missing_value category
      'P4,Eggs,Dairy,Fresh,1,0', // 5 out_of_range base_price (must be > 0)
      'P5,Eggs,Dairy,Fresh,1e308,2', // 6 out_of_range unit_cost (beyond ±1e12)
    ),
    'calendar.csv': withLines('calendar.csv', '2024-01-05,maybe,,'), // 6 invalid_boolean
    'prices.csv': withLines(
      'prices.csv',
      'S1,P2,2024-01-02,2.5,99', // 5 out_of_range discount_pct
      'S9,P1,2024-01-02,1,0', // 6 unknown_store
    ),
    'promotions.csv': withLines(
      'promotions.csv',
      'PR3,P1,S1,flyer,2024-01-05,2024-01-02', // 4 end_before_start
      'PR4,P7,,flyer,2024-01-01,2024-01-02', // 5 unknown_product
    ),
    'weather.csv': withLines(
      'weather.csv',
      'east,2024-01-01,5,0', // 5 unknown_region (every east store was rejected)
      'north,2024-01-03,70,0', // 6 out_of_range temp_c
    ),
    'inventory.csv': withLines('inventory.csv', 'S1,P1,2024-01-03,NaN,0'), // 5 invalid_number
    'sales.csv': withLines(
      'sales.csv',
      'S2,P1,2023-05-01,1,1', // 15 before_opening (S2 opened 2023-06-01)
      'S1,P1,2024-01-05,-1,0', // 16 out_of_range units
      'garbage,garbage,garbage,garbage,not-a-date', // 17 invalid_date
      'S1,P1,2024-01-05,1,2,3', // 18 wrong_field_count
      'S1,,2024-01-05,1,1', // 19 missing_value product_id
      'S1,P1,2024-01-05,abc,1', // 20 invalid_number units
      'S1,P1,2024-01-01,5,6', // 21 exact duplicate of line 2
      'S1,P1,2024-01-01,9,9', // 22 duplicate_key
    ),
  });
  result = await ingestSources({ sources: dir, out: await freshOut() });
});

function groups(source: keyof IngestResult['report']['sources']) {
  return result.report.sources[source].rejections.map((g) => ({
    reason: g.reason,
    column: g.column,
    lines: g.lines,
  }));
}

describe('validation rules', () => {
  it('rejects bad master data with a reason, column and line', () => {
    expect(groups('stores')).toEqual([
      { reason: 'invalid_number', column: 'size_sqm', lines: [4] },
      { reason: 'out_of_range', column: 'size_sqm', lines: [5] },
      { reason: 'invalid_date', column: 'opening_date', lines: [6] },
      { reason: 'duplicate_key', column: 'store_id', lines: [8] },
    ]);
    expect(groups('products')).toEqual([
      { reason: 'missing_value', column: 'category', lines: [4] },
      { reason: 'out_of_range', column: 'base_price', lines: [5] },
      { reason: 'out_of_range', column: 'unit_cost', lines: [6] },
    ]);
  });

  it('removes exact duplicates apart from rejections', () => {
    const stores = result.report.sources.stores;
    expect(stores.duplicates_removed).toEqual({ count: 1, lines: [7], lines_truncated: false });
    expect(stores).toMatchObject({ rows_read: 7, rows_accepted: 2, rows_rejected: 4 });
    expect(result.report.sources.sales.duplicates_removed.lines).toEqual([21]);
  });

  it('checks sales rows: every reason with its exact line', () => {
    expect(groups('sales')).toEqual([
      { reason: 'wrong_field_count', column: null, lines: [18] },
      { reason: 'before_opening', column: 'date', lines: [15] },
      { reason: 'out_of_range', column: 'units', lines: [16] },
      { reason: 'invalid_date', column: 'date', lines: [17] },
      { reason: 'missing_value', column: 'product_id', lines: [19] },
      { reason: 'invalid_number', column: 'units', lines: [20] },
      { reason: 'duplicate_key', column: 'store_id,product_id,date', lines: [22] },
    ]);
    expect(result.report.sources.sales).toMatchObject({ rows_read: 21, rows_accepted: 13, rows_rejected: 7 });
  });

  it('checks driver sources: booleans, ranges, foreign keys and promotion dates', () => {
    expect(groups('calendar')).toEqual([{ reason: 'invalid_boolean', column: 'is_holiday', lines: [6] }]);
    expect(groups('prices')).toEqual([
      { reason: 'out_of_range', column: 'discount_pct', lines: [5] },
      { reason: 'unknown_store', column: 'store_id', lines: [6] },
    ]);
    expect(groups('promotions')).toEqual([
      { reason: 'end_before_start', column: 'end_date', lines: [4] },
      { reason: 'unknown_product', column: 'product_id', lines: [5] },
    ]);
    expect(groups('weather')).toEqual([
      { reason: 'unknown_region', column: 'region', lines: [5] },
      { reason: 'out_of_range', column: 'temp_c', lines: [6] },
    ]);
    expect(groups('inventory')).toEqual([{ reason: 'invalid_number', column: 'stock_on_hand', lines: [5] }]);
  });

  it('uses only documented reasons and totals them', () => {
    const all = Object.values(result.report.sources).flatMap((s) => s.rejections);
    for (const g of all) expect(Object.keys(REJECTION_REASONS)).toContain(g.reason);
    expect(result.report.rows_rejected).toBe(all.reduce((n, g) => n + g.count, 0));
    expect(result.report.rows_rejected).toBe(22);
  });

  it('keeps the panel to accepted rows: rejected rows add no series and no dates', () => {
    expect(result.report.panel).toMatchObject({ rows: 16, series: 4, last_date: '2024-01-04' });
  });

  it('drops a copy of a rejected row once, and lets a valid row follow a rejected one with its key', async () => {
    const dir = await writeSources({
      'sales.csv': withLines(
        'sales.csv',
        'S1,P1,2024-01-05,abc,1', // 15 invalid_number units
        'S1,P1,2024-01-05,abc,1', // 16 exact duplicate of line 15: dropped, not rejected again
        'S1,P1,2024-01-05,3,3.6', // 17 accepted: line 15, the earlier row with this key, was rejected
        'S1,P1,2024-01-05, 3,3.6', // 18 duplicate_key: not identical text, same typed key
      ),
    });
    const { report } = await ingestSources({ sources: dir, out: await freshOut() });
    const sales = report.sources.sales;
    expect(sales.duplicates_removed.lines).toEqual([16]);
    expect(sales.rejections.map((g) => [g.reason, g.lines])).toEqual([
      ['invalid_number', [15]],
      ['duplicate_key', [18]],
    ]);
    expect(sales).toMatchObject({ rows_read: 17, rows_accepted: 14, rows_rejected: 2 });
  });

  it('documents every reason in docs/DATA.md with its meaning', async () => {
    const doc = await readFile('docs/DATA.md', 'utf8');
    for (const [reason, meaning] of Object.entries(REJECTION_REASONS)) {
      expect(doc).toContain(`| \`${reason}\` | ${meaning} |`);
    }
  });
});
