import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromParts } from '../core/dates.js';
import { computeBatch, computeOnline, numericExog, seriesView } from './definition.js';
import { buildFeatureSet } from './feature-set.js';
import { buildPanel, isCategorical, type Panel, seriesLength } from './panel.js';
import { LeftOutTargetSums } from './target-encoding.js';

/** A daily panel of two series over 800 days with every driver the feature set knows. */
function demoPanel(seed: number): Panel {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const price: number[] = [];
  const basePrice: number[] = [];
  const onPromo: number[] = [];
  const store: string[] = [];
  const start = dayFromParts(2022, 1, 1);
  for (const s of ['s1', 's2']) {
    for (let t = 0; t < 800; t++) {
      seriesId.push(s);
      date.push(start + t);
      y.push(rand() < 0.05 ? Number.NaN : Math.round(10 + 5 * Math.sin(t / 7) + 10 * rand()));
      const promo = rand() < 0.1 ? 1 : 0;
      price.push(promo ? 8 : 10);
      basePrice.push(10);
      onPromo.push(promo);
      store.push(s === 's1' ? 'north' : 'south');
    }
  }
  return buildPanel({
    seriesId,
    date,
    y,
    exog: {
      price,
      base_price: basePrice,
      on_promo: onPromo,
      discount_pct: onPromo.map((p) => p * 20),
      store,
    },
  });
}

describe('feature definitions', () => {
  const panel = demoPanel(7);
  const defs = buildFeatureSet(panel);
  const rows = Int32Array.from({ length: panel.y.length }, (_, i) => i);
  const batch = computeBatch(panel, defs, rows);

  it('produce the documented default feature set (more than 40 features on a driver-rich panel)', () => {
    const names = defs.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(40);
    for (const n of [
      'lag7',
      'lag364',
      'lag1_rolling_mean_28',
      'lag1_ewm_0.1',
      'day_of_week',
      'days_to_holiday',
    ]) {
      expect(names).toContain(n);
    }
    for (const n of [
      'price_rel_base',
      'price_rel_recent',
      'price_change',
      'discount_depth',
      'promo_periods_since',
    ]) {
      expect(names).toContain(n);
    }
    expect(batch.categorical?.map((j) => names[j])).toEqual(['store', 'series_id']);
  });

  it('give identical values in batch and online (one new observation on a truncated history)', () => {
    const exog = numericExog(panel, defs);
    const row = new Float64Array(defs.length);
    for (const s of [0, 1]) {
      const full = seriesView(panel, s, exog);
      for (const t of [0, 1, 6, 7, 30, 363, 364, 365, 500, seriesLength(panel, s) - 1]) {
        // Online: the series known up to t − 1, plus the new period t whose target is unknown.
        const y = full.y.slice(0, t + 1);
        y[t] = Number.NaN;
        const ex = Object.fromEntries(Object.entries(full.exog).map(([k, v]) => [k, v.slice(0, t + 1)]));
        computeOnline({ ...full, y, exog: ex, dates: full.dates.slice(0, t + 1) }, t, defs, row);
        const r = panel.offsets[s] + t;
        for (let j = 0; j < defs.length; j++) {
          // promo_periods_until looks ahead at the known promotion calendar, which the truncated
          // history does not hold; the full-timeline online call below covers it.
          if (defs[j].name === 'promo_periods_until') continue;
          expect(Object.is(row[j], batch.data[j * batch.nRows + r]), `${defs[j].name} at ${t}`).toBe(true);
        }
        computeOnline(full, t, defs, row);
        for (let j = 0; j < defs.length; j++) {
          expect(Object.is(row[j], batch.data[j * batch.nRows + r]), `${defs[j].name} at ${t}`).toBe(true);
        }
      }
    }
  });

  it('never read the target at or after the position they describe', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 370, max: 799 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (t, v) => {
          const changed = Float64Array.from(panel.y);
          for (let r = t; r < 800; r++) changed[r] = v;
          const other = computeBatch({ ...panel, y: changed }, defs, Int32Array.of(t));
          const base = computeBatch(panel, defs, Int32Array.of(t));
          expect([...other.data]).toEqual([...base.data]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('respect the direct strategy: no target lag below the horizon', () => {
    const direct = buildFeatureSet(panel, {}, 90);
    expect(Math.min(...direct.map((d) => d.minLag))).toBe(90);
    expect(direct.map((d) => d.name)).toContain('lag90_rolling_mean_28');
    expect(direct.map((d) => d.name)).not.toContain('lag7');
  });
});

describe('target encodings', () => {
  it('average the target of the same category over earlier periods of every series', () => {
    const panel = buildPanel({
      seriesId: ['a', 'a', 'a', 'b', 'b', 'b'],
      date: [0, 1, 2, 0, 1, 2],
      y: [1, 3, 100, 5, 7, 200],
      exog: { kind: ['x', 'x', 'x', 'y', 'x', 'x'] },
    });
    const defs = buildFeatureSet(
      panel,
      { lags: [], lagTransforms: {}, dateFeatures: [], seriesId: false },
      1,
    );
    expect(defs.map((d) => d.name)).toEqual(['kind', 'kind_target_mean']);
    const X = computeBatch(
      panel,
      defs,
      Int32Array.from({ length: 6 }, (_, i) => i),
    );
    // Day 0: nothing earlier. Day 1: category x saw a's 1 on day 0. Day 2: x saw 1, 3 and 7.
    expect([...X.data.subarray(6)]).toEqual([Number.NaN, 1, 11 / 3, Number.NaN, 1, 11 / 3]);
  });

  it('count the rows a panel left out, summed per date and category, as if they were in it', () => {
    const full = demoPanel(5);
    const defs = buildFeatureSet(full, { lags: [], lagTransforms: {}, dateFeatures: [] }, 3);
    const encoding = defs.findIndex((d) => d.name === 'store_target_mean');
    expect(encoding).toBeGreaterThanOrEqual(0);
    // Each series keeps its last 100 rows; s2 loses 30 more than s1, so left-out rows of one
    // series are dated after kept rows of the other.
    const keep = [100, 70];
    const sums = new LeftOutTargetSums();
    const kept: number[] = [];
    for (let s = 0; s < 2; s++) {
      const a = full.offsets[s];
      const b = full.offsets[s + 1];
      sums.add(full, full.y, a, b - keep[s]);
      for (let r = b - keep[s]; r < b; r++) kept.push(r);
    }
    const window: Panel = {
      freq: full.freq,
      seriesIds: full.seriesIds,
      offsets: Int32Array.of(0, keep[0], keep[0] + keep[1]),
      dates: Int32Array.from(kept, (r) => full.dates[r]),
      y: Float64Array.from(kept, (r) => full.y[r]),
      exog: Object.fromEntries(
        Object.entries(full.exog).map(([name, col]) => [
          name,
          isCategorical(col)
            ? { codes: Int32Array.from(kept, (r) => col.codes[r]), levels: col.levels }
            : Float64Array.from(kept, (r) => col[r]),
        ]),
      ),
    };
    const left = { ...window, leftOut: sums.targets };
    const rows = Int32Array.from({ length: kept.length }, (_, i) => i);
    const want = computeBatch(full, defs, Int32Array.from(kept));
    const got = computeBatch(left, defs, rows);
    const without = computeBatch(window, defs, rows);
    const column = (X: typeof want) => X.data.subarray(encoding * kept.length, (encoding + 1) * kept.length);
    const [w, g, o] = [column(want), column(got), column(without)];
    for (let i = 0; i < kept.length; i++) expect(g[i]).toBeCloseTo(w[i], 12);
    // Without the sums, the window alone averages other rows.
    expect(o.some((v, i) => Math.abs(v - w[i]) > 1e-6)).toBe(true);
  });
});
