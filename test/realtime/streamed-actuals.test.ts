/**
 * Streamed actuals as training data: a dataset's panel extended by the records streamed after each
 * series' end, in SQLite and, with DATABASE_URL, in PostgreSQL under row-level security.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseIsoDay } from '../../src/core/dates.js';
import { buildPanel, type CategoricalColumn, type Panel } from '../../src/features/panel.js';
import { withStreamedActuals } from '../../src/realtime/streamed-actuals.js';
import type { Store } from '../../src/store/store.js';
import { STORE_DIALECTS, storeWithTenants, streamRecordRow } from '../fixtures/store-rows.js';

const now = new Date().toISOString();
const day = (iso: string) => parseIsoDay(iso)!;

/**
 * Two daily series: 'a' over 2026-03-01 … 03-10 (y = 1 … 10), 'b' over 03-01 … 03-05 (y = 20 …
 * 24); a numeric price and a categorical promotion ('none', 'tv').
 */
function dataset(): Panel {
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const price: number[] = [];
  const promo: string[] = [];
  const add = (id: string, days: number, y0: number) => {
    for (let d = 0; d < days; d++) {
      seriesId.push(id);
      date.push(day('2026-03-01') + d);
      y.push(y0 + d);
      price.push(2);
      promo.push(d % 2 === 0 ? 'none' : 'tv');
    }
  };
  add('a', 10, 1);
  add('b', 5, 20);
  return buildPanel({ seriesId, date, y, exog: { price, promo } }, { freq: 'day' });
}

/** The rows of series `id`: dates, targets and drivers, NaN and -1 for missing. */
function rowsOf(panel: Panel, id: string) {
  const s = panel.seriesIds.indexOf(id);
  const promo = panel.exog.promo as CategoricalColumn;
  const out: { date: string; y: number; price: number; promo: string | null }[] = [];
  for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
    const code = promo.codes[r];
    out.push({
      date: formatDay(panel.dates[r]),
      y: panel.y[r],
      price: (panel.exog.price as Float64Array)[r],
      promo: code < 0 ? null : promo.levels[code],
    });
  }
  return out;
}

const record = (series: string, date: string, y: number | null, drivers: Record<string, unknown> = {}) => ({
  ...streamRecordRow(series, date, now),
  y,
  drivers: JSON.stringify(drivers),
});

describe.each(STORE_DIALECTS)('withStreamedActuals (%s)', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  const tenant = randomUUID();
  const other = randomUUID();

  beforeAll(async () => {
    ({ store, close } = await storeWithTenants(dialect, [tenant, other]));
  });
  afterAll(() => close());

  it('returns the panel itself while nothing was streamed after it', async () => {
    const panel = dataset();
    // Inside both series' ranges, and another tenant's records after them: none is this panel's.
    await store.withTenant(tenant, (r) => r.streamRecords.upsert([record('a', '2026-03-04', 99)]));
    await store.withTenant(other, (r) => r.streamRecords.upsert([record('a', '2026-03-20', 5)]));
    const out = await withStreamedActuals(store, tenant, panel);
    expect(out.panel).toBe(panel);
    expect(out.streamed).toEqual({ actuals: 0, through: null, skipped: 0 });
  });

  it("appends each series' later actuals, with their drivers, and leaves the dataset's range as it is", async () => {
    await store.withTenant(tenant, (r) =>
      r.streamRecords.upsert([
        // Series b ends 03-05: its 03-06 and 03-08 actuals are new (03-07 a gap, with a streamed
        // price event); its 03-04 correction falls in the dataset's range.
        record('b', '2026-03-04', 1000),
        record('b', '2026-03-06', 30, { price: 1.5, promo: 'tv' }),
        record('b', '2026-03-07', null, { price: 1.25 }),
        record('b', '2026-03-08', 32, { promo: 'radio' }),
        // Series a ends 03-10: 03-04 (above) is inside it; 03-11 is new; an event after its last
        // actual is no row.
        record('a', '2026-03-11', 11, { price: 2 }),
        record('a', '2026-03-13', null, { promo: 'tv' }),
        // A series the dataset does not have.
        record('zz', '2026-03-11', 7),
      ]),
    );
    const panel = dataset();
    const out = await withStreamedActuals(store, tenant, panel);
    expect(out.streamed).toEqual({ actuals: 3, through: '2026-03-11', skipped: 0 });
    expect(out.panel.seriesIds).toEqual(['a', 'b']);
    expect(out.panel.freq).toBe('day');

    const a = rowsOf(out.panel, 'a');
    expect(a).toHaveLength(11);
    expect(a.slice(0, 10)).toEqual(rowsOf(panel, 'a'));
    expect(a[10]).toEqual({ date: '2026-03-11', y: 11, price: 2, promo: null });

    const b = rowsOf(out.panel, 'b');
    expect(b.slice(0, 5)).toEqual(rowsOf(panel, 'b'));
    expect(b[3].y).toBe(23); // not the streamed 1000
    expect(b.slice(5)).toEqual([
      { date: '2026-03-06', y: 30, price: 1.5, promo: 'tv' },
      { date: '2026-03-07', y: Number.NaN, price: 1.25, promo: null },
      // 'radio' is not a level of the dataset: missing, as the served state reads it.
      { date: '2026-03-08', y: 32, price: Number.NaN, promo: null },
    ]);
    // The panel's own arrays are untouched.
    expect(rowsOf(panel, 'b')).toHaveLength(5);

    // Rebuilt through a date, as a version's evaluation rebuilds what it was trained on.
    const through = await withStreamedActuals(store, tenant, dataset(), '2026-03-07');
    expect(through.streamed).toEqual({ actuals: 1, through: '2026-03-06', skipped: 0 });
    expect(rowsOf(through.panel, 'b').map((x) => x.date)).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
    ]);
  });

  it('skips records off a weekly panel’s grid and counts them', async () => {
    // Mondays 2026-01-05 … 2026-02-02 for series w.
    const dates = Array.from({ length: 5 }, (_, k) => day('2026-01-05') + 7 * k);
    const weekly = buildPanel(
      { seriesId: dates.map(() => 'w'), date: dates, y: [5, 6, 7, 8, 9] },
      { freq: 'week' },
    );
    await store.withTenant(tenant, (r) =>
      r.streamRecords.upsert([record('w', '2026-02-09', 10), record('w', '2026-02-11', 3)]),
    );
    const out = await withStreamedActuals(store, tenant, weekly);
    expect(out.streamed).toEqual({ actuals: 1, through: '2026-02-09', skipped: 1 });
    expect(Array.from(out.panel.y)).toEqual([5, 6, 7, 8, 9, 10]);
  });
});
