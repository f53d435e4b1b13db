import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshOut, writeSources } from '../../../test/fixtures/ingest-sources.js';
import { readTable, type Table } from '../duckdb.js';
import { ingestSources, PANEL_COLUMNS } from './index.js';

let full: Table;
let bare: Table;
let bareReport: Awaited<ReturnType<typeof ingestSources>>['report'];

beforeAll(async () => {
  const out = await freshOut();
  await ingestSources({ sources: await writeSources(), out });
  full = await readTable(join(out, 'panel.parquet'));
  const absent = Object.fromEntries(
    ['calendar.csv', 'prices.csv', 'promotions.csv', 'weather.csv', 'inventory.csv'].map((f) => [f, null]),
  );
  const bareOut = await freshOut();
  bareReport = (await ingestSources({ sources: await writeSources(absent), out: bareOut })).report;
  bare = await readTable(join(bareOut, 'panel.parquet'));
});

function row(t: Table, store: string, product: string, date: string): Record<string, unknown> {
  const [s, p, d] = [t.get('store_id'), t.get('product_id'), t.get('date')];
  for (let i = 0; i < t.rows; i++) {
    if (s[i] === store && p[i] === product && d[i] === date) {
      return Object.fromEntries(t.columns.map((c) => [c, t.get(c)[i]]));
    }
  }
  throw new Error(`no panel row ${store} ${product} ${date}`);
}

describe('panel', () => {
  it('has the documented columns, one row per series × period, sorted by store, product, date', () => {
    expect(full.columns).toEqual([...PANEL_COLUMNS]);
    const keys = Array.from({ length: full.rows }, (_, i) =>
      [full.get('store_id')[i], full.get('product_id')[i], full.get('date')[i]].join('|'),
    );
    expect(new Set(keys).size).toBe(16);
    expect(keys).toEqual([...keys].sort());
  });

  it('joins prices (paid price after discount), promotions, calendar, weather, stores and products', () => {
    expect(row(full, 'S1', 'P1', '2024-01-02')).toMatchObject({
      price: 1.2,
      discount_pct: 25,
      paid_price: 0.9,
      base_price: 1.2,
      unit_cost: 0.6,
      on_promo: 'true',
      promo_type: 'flyer',
      is_holiday: 'false',
      is_payday: 'false',
      temp_c: -1,
      precip_mm: 3.5,
      store_type: 'supermarket',
      size_sqm: 1200,
      region: 'north',
      opening_date: '2020-01-01',
      category: 'Dairy',
      department: 'Fresh',
    });
    // No discount given: 0; a holiday with its name; the store's own region's weather.
    expect(row(full, 'S1', 'P1', '2024-01-01')).toMatchObject({
      discount_pct: 0,
      paid_price: 1.2,
      holiday_name: 'New Year',
    });
    expect(row(full, 'S2', 'P1', '2024-01-01')).toMatchObject({
      temp_c: 8,
      region: 'south',
      is_holiday: 'true',
    });
    // A promotion without a store applies to every store.
    expect(row(full, 'S2', 'P2', '2024-01-04')).toMatchObject({ on_promo: 'true', promo_type: 'display' });
    expect(row(full, 'S2', 'P1', '2024-01-04')).toMatchObject({ on_promo: 'false', promo_type: null });
    expect(Number.isNaN(row(full, 'S2', 'P1', '2024-01-04').price)).toBe(true);
  });

  it('leaves the drivers of absent sources null and says so in the report', () => {
    expect(bare.rows).toBe(16);
    const r = row(bare, 'S1', 'P1', '2024-01-02');
    for (const c of ['on_promo', 'promo_type', 'is_holiday', 'holiday_name', 'stockout'])
      expect(r[c]).toBeNull();
    for (const c of ['price', 'discount_pct', 'paid_price', 'temp_c', 'stock_on_hand']) {
      expect(Number.isNaN(r[c] as number)).toBe(true);
    }
    expect(r).toMatchObject({ units: 4, base_price: 1.2, category: 'Dairy' });
    expect(bareReport.sources.weather.status).toBe('absent');
    expect(bareReport.manifest.absent_sources).toEqual([
      'calendar',
      'prices',
      'promotions',
      'weather',
      'inventory',
    ]);
  });

  it('documents every column in docs/DATA.md', async () => {
    const doc = await readFile('docs/DATA.md', 'utf8');
    for (const c of PANEL_COLUMNS) expect(doc).toMatch(new RegExp(`^\\| \`${c}\` \\| [A-Z]+ \\| `, 'm'));
  });
});
