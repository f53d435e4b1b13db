import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import {
  buildPanel,
  type CategoricalColumn,
  completeDrivers,
  extendPanel,
  isCategorical,
  panelThrough,
  RECENT_DRIVER_VALUES,
} from './panel.js';

const d = (iso: string) => parseIsoDay(iso)!;

describe('buildPanel', () => {
  it('groups by series in first-seen order, sorts by date and fills gaps with NaN', () => {
    const panel = buildPanel({
      seriesId: ['b', 'a', 'b', 'a', 'b'],
      date: [d('2024-01-03'), d('2024-01-01'), d('2024-01-01'), d('2024-01-02'), d('2024-01-04')],
      y: [3, 10, 1, 20, 4],
      exog: { color: ['x', 'y', null, 'x', 'z'], temp: [1.5, 2, 3, 4, 5] },
    });
    expect(panel.freq).toBe('day');
    expect(panel.seriesIds).toEqual(['b', 'a']);
    expect([...panel.offsets]).toEqual([0, 4, 6]);
    expect([...panel.y]).toEqual([1, Number.NaN, 3, 4, 10, 20]);
    expect([...panel.dates]).toEqual([
      d('2024-01-01'),
      d('2024-01-02'),
      d('2024-01-03'),
      d('2024-01-04'),
      d('2024-01-01'),
      d('2024-01-02'),
    ]);
    const color = panel.exog.color;
    expect(isCategorical(color) && color.levels).toEqual(['x', 'y', 'z']);
    expect(isCategorical(color) && [...color.codes]).toEqual([-1, -1, 0, 2, 1, 0]);
    expect([...(panel.exog.temp as Float64Array)]).toEqual([3, Number.NaN, 1.5, 5, 2, 4]);
  });

  it('infers weekly data and rejects duplicates and off-grid dates', () => {
    const weekly = buildPanel({
      seriesId: ['s', 's', 's'],
      date: [d('2024-01-05'), d('2024-01-19'), d('2024-01-12')],
      y: [1, 3, 2],
    });
    expect(weekly.freq).toBe('week');
    expect([...weekly.y]).toEqual([1, 2, 3]);
    expect(() =>
      buildPanel(
        { seriesId: ['s', 's'], date: [d('2024-01-05'), d('2024-01-05')], y: [1, 2] },
        { freq: 'week' },
      ),
    ).toThrow(/two rows for date 2024-01-05/);
    expect(() =>
      buildPanel(
        {
          seriesId: ['s', 's', 's'],
          date: [d('2024-01-05'), d('2024-01-12'), d('2024-01-13')],
          y: [1, 2, 3],
        },
        { freq: 'week' },
      ),
    ).toThrow(SalescastError);
  });

  it('reuses training levels for a future frame; unseen levels are missing', () => {
    const panel = buildPanel(
      { seriesId: ['s', 's'], date: [d('2024-01-01'), d('2024-01-02')], exog: { c: ['new', 'b'] } },
      { levels: { c: ['a', 'b'] }, freq: 'day' },
    );
    const c = panel.exog.c;
    expect(isCategorical(c) && [...c.codes]).toEqual([-1, 1]);
    expect([...panel.y].every(Number.isNaN)).toBe(true);
  });

  it('keeps a training categorical categorical when its future values all read as numbers', () => {
    // A holiday code read from a future file where every day is '0' arrives as the number 0.
    const panel = buildPanel(
      {
        seriesId: ['s', 's', 's'],
        date: [d('2024-01-01'), d('2024-01-02'), d('2024-01-03')],
        exog: { holiday: Float64Array.of(0, Number.NaN, 2) },
      },
      { levels: { holiday: ['a', '0', 'b'] }, freq: 'day' },
    );
    const holiday = panel.exog.holiday;
    expect(isCategorical(holiday) && [...holiday.codes]).toEqual([1, -1, -1]);
  });
});

describe('panelThrough and extendPanel', () => {
  const panel = buildPanel({
    seriesId: ['a', 'a', 'a', 'b', 'b'],
    date: [d('2024-01-01'), d('2024-01-02'), d('2024-01-03'), d('2024-01-03'), d('2024-01-04')],
    y: [1, 2, 3, 30, 40],
    exog: { x: [0.1, 0.2, 0.3, 3, 4] },
  });

  it('keeps the rows on or before the cutoff, dropping series that start later', () => {
    const past = panelThrough(panel, d('2024-01-02'));
    expect(past.seriesIds).toEqual(['a']);
    expect([...past.y]).toEqual([1, 2]);
    const all = panelThrough(panel, d('2024-01-03'));
    expect([...all.y]).toEqual([1, 2, 3, 30]);
  });

  it('appends h future rows with NaN targets and drivers from the future frame', () => {
    const future = buildPanel(
      { seriesId: ['b', 'a'], date: [d('2024-01-05'), d('2024-01-04')], exog: { x: [5, 0.4] } },
      { freq: 'day' },
    );
    const ext = extendPanel(panel, 2, future);
    expect([...ext.offsets]).toEqual([0, 5, 9]);
    expect([...ext.dates.subarray(3, 5)]).toEqual([d('2024-01-04'), d('2024-01-05')]);
    expect([...ext.y]).toEqual([1, 2, 3, Number.NaN, Number.NaN, 30, 40, Number.NaN, Number.NaN]);
    expect([...(ext.exog.x as Float64Array)]).toEqual([0.1, 0.2, 0.3, 0.4, Number.NaN, 3, 4, 5, Number.NaN]);
  });
});

describe('unknown future drivers', () => {
  // Series 'p': 40 days. Its price is 2 except a 3-day discount at 1.5 just before the end; its
  // promotion flag is 1 on 12 of the last 28 days; its promotion type is 'tv' on 14 of them and
  // 'flyer' on 14, 'flyer' most recently. A weekly gap (no sale, no drivers) on day 10.
  const days = 40;
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const price: number[] = [];
  const promo: number[] = [];
  const type: string[] = [];
  const temp: number[] = [];
  for (let k = 0; k < days; k++) {
    if (k === 10) continue;
    seriesId.push('p');
    date.push(d('2024-01-01') + k);
    y.push(k);
    price.push(k >= days - 3 ? 1.5 : 2);
    promo.push(k >= days - 28 && k % 7 < 3 ? 1 : 0);
    type.push(k >= days - 14 ? 'flyer' : k >= days - 28 ? 'tv' : 'none');
    // Missing once on a training row: the model learned what a missing temperature means.
    temp.push(k === 5 ? Number.NaN : 10 + k);
  }
  const history = buildPanel({ seriesId, date, y, exog: { price, promo, type, temp } }, { freq: 'day' });

  it('counts as complete only the drivers with a value on every row with a target', () => {
    expect(RECENT_DRIVER_VALUES).toBe(28);
    // The gap on day 10 has no drivers either; it has no target, so it does not count.
    expect(Number.isNaN(history.y[10]) && Number.isNaN((history.exog.price as Float64Array)[10])).toBe(true);
    expect(completeDrivers(history)).toEqual(['price', 'promo', 'type']);
  });

  it('fills the named drivers of future rows given none with the recent typical value', () => {
    // A future frame that plans day 41's price only.
    const future = buildPanel(
      { seriesId: ['p'], date: [d('2024-01-01') + days + 1], exog: { price: [3] } },
      { freq: 'day' },
    );
    const ext = extendPanel(history, 3, future, completeDrivers(history));
    const at = (name: string) => [...(ext.exog[name] as Float64Array).subarray(days, days + 3)];
    // The lower median of the last 28 prices (25 at 2, 3 at 1.5): the discount is not extended.
    expect(at('price')).toEqual([2, 3, 2]);
    // 12 promoted days of 28: the lower median is 0, not a made-up 0.43.
    expect(at('promo')).toEqual([0, 0, 0]);
    // 14 'tv' and 14 'flyer': the tie goes to the most recent, 'flyer'.
    const typeCol = ext.exog.type as CategoricalColumn;
    expect([...typeCol.codes.subarray(days, days + 3)].map((c) => typeCol.levels[c])).toEqual([
      'flyer',
      'flyer',
      'flyer',
    ]);
    // Not named: stays missing, as the model learned it.
    expect(at('temp')).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    // History rows, the gap included, are as they were.
    expect(Number.isNaN((ext.exog.price as Float64Array)[10])).toBe(true);
    expect([...(ext.exog.price as Float64Array).subarray(0, days)]).toEqual([
      ...(history.exog.price as Float64Array),
    ]);
    // Without names nothing is filled.
    const plain = extendPanel(history, 3, future);
    expect([...(plain.exog.price as Float64Array).subarray(days, days + 3)]).toEqual([
      Number.NaN,
      3,
      Number.NaN,
    ]);
  });
});
