import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayOfWeek, formatDay, parseIsoDay, yearFraction } from '../../core/dates.js';
import { SOURCE_NAMES, SOURCES } from '../schema.js';
import { generateDemoRetailer } from './generate.js';
import type { Cell } from './table.js';
import { tableToCsv, truthToJson } from './writers.js';

const retailer = generateDemoRetailer();
const { tables, truth } = retailer;
const productIds = new Set(truth.products.map((p) => p.product_id));
const key = (store: Cell, product: Cell, date: Cell) => `${store}|${product}|${date}`;

/** Clean sales by key: dirty rows (negative units, unknown products, duplicates) left out. */
function cleanSales(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [s, p, d, u] of tables.sales.rows) {
    if (productIds.has(p as string) && (u as number) >= 0) out.set(key(s, p, d), u as number);
  }
  return out;
}

const byKey = (rows: Cell[][]) => new Map(rows.map((r) => [key(r[0], r[1], r[2]), r]));
const prices = byKey(tables.prices.rows);
const inventory = byKey(tables.inventory.rows);
const sales = cleanSales();
/** Clean sales keys per product, so per-product checks do not scan every row. */
const salesKeysByProduct = new Map<string, string[]>();
for (const k of sales.keys()) {
  const id = k.split('|')[1];
  const keys = salesKeysByProduct.get(id) ?? [];
  keys.push(k);
  salesKeysByProduct.set(id, keys);
}
const holidays = new Set(tables.calendar.rows.filter((r) => r[1] === true).map((r) => r[0] as string));
const product = new Map(truth.products.map((p) => [p.product_id, p]));

/** Promotion type per key, expanded over days and stores. */
function promoDays(): Map<string, string> {
  const out = new Map<string, string>();
  const storeIds = tables.stores.rows.map((r) => r[0] as string);
  for (const [, p, s, type, start, end] of tables.promotions.rows) {
    for (let d = parseIsoDay(start as string)!; d <= parseIsoDay(end as string)!; d++) {
      for (const store of storeIds)
        if (s === null || s === store) out.set(key(store, p, formatDay(d)), type as string);
    }
  }
  return out;
}
const promo = promoDays();

/** Solves A x = b (A symmetric positive definite, n small) by Gaussian elimination. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    for (let r = i + 1; r < n; r++) {
      const f = A[r][i] / A[i][i];
      for (let c = i; c < n; c++) A[r][c] -= f * A[i][c];
      b[r] -= f * b[i];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let v = b[i];
    for (let c = i + 1; c < n; c++) v -= A[i][c] * x[c];
    x[i] = v / A[i][i];
  }
  return x;
}

/** Poisson regression by iteratively reweighted least squares; a tiny ridge keeps absent dummies at 0. */
function poissonRegression(X: number[][], y: number[]): number[] {
  const m = X[0].length;
  const beta = new Array<number>(m).fill(0);
  beta[0] = Math.log(y.reduce((a, b) => a + b, 0) / y.length);
  for (let iter = 0; iter < 30; iter++) {
    const A = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1e-6 : 0)));
    const g = new Array<number>(m).fill(0);
    X.forEach((x, i) => {
      const mu = Math.exp(x.reduce((a, v, c) => a + v * beta[c], 0));
      for (let a = 0; a < m; a++) {
        g[a] += (y[i] - mu) * x[a];
        for (let b = a; b < m; b++) A[a][b] += mu * x[a] * x[b];
      }
    });
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) A[a][b] = A[b][a];
    const step = solve(A, g);
    step.forEach((v, i) => {
      beta[i] += v;
    });
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return beta;
}

describe('generateDemoRetailer', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const options = { stores: 3, products: 6, days: 200, seed: 11 };
    const a = generateDemoRetailer(options);
    const b = generateDemoRetailer(options);
    for (const source of SOURCE_NAMES)
      expect(tableToCsv(b.tables[source])).toBe(tableToCsv(a.tables[source]));
    expect(truthToJson(b)).toBe(truthToJson(a));
    const other = generateDemoRetailer({ ...options, seed: 12 });
    expect(tableToCsv(other.tables.sales)).not.toBe(tableToCsv(a.tables.sales));
    expect(tableToCsv(other.tables.products)).not.toBe(tableToCsv(a.tables.products));
    expect(truthToJson(other)).not.toBe(truthToJson(a));
  });

  it('writes every source in exactly the schema columns', () => {
    for (const source of SOURCE_NAMES) {
      const table = tables[source];
      expect(table.source).toBe(source);
      expect(table.columns).toEqual(SOURCES[source].columns.map((c) => c.name));
      expect(table.rows.filter((row) => row.length !== table.columns.length)).toEqual([]);
    }
  });

  it('has the exact row counts: sales = stores × products × periods − missing + dirty extras', () => {
    const { stores, products, days } = retailer.options;
    expect(truth.window.periods).toBe(days);
    const dropped = truth.dirty_records.missing_store_periods.reduce((a, m) => a + m.rows_dropped, 0);
    expect(dropped).toBe(3 * products);
    expect(truth.dirty_records.duplicate_rows).toHaveLength(3);
    expect(truth.dirty_records.unknown_product).toHaveLength(1);
    expect(tables.sales.rows).toHaveLength(stores * products * days - dropped + 3 + 1);
    expect(tables.sales.rows).toHaveLength(5 * 12 * 730 - 36 + 4);
    expect(tables.prices.rows).toHaveLength(stores * products * days);
    expect(tables.inventory.rows).toHaveLength(stores * products * days);
    expect(tables.calendar.rows).toHaveLength(days);
    expect(tables.weather.rows).toHaveLength(3 * days);
    expect(tables.products.rows).toHaveLength(products);
    expect(tables.stores.rows).toHaveLength(stores);
    expect(truth.row_counts.sales).toBe(tables.sales.rows.length);
  });

  it('plants the dirty records on the lines truth.json names (header = line 1)', () => {
    const rows = tables.sales.rows;
    const at = (line: number) => rows[line - 2];
    for (const d of truth.dirty_records.duplicate_rows) expect(at(d.line)).toEqual(at(d.duplicate_of_line));
    const [neg] = truth.dirty_records.negative_quantity;
    expect(at(neg.line)[3]).toBe(neg.units);
    expect(neg.units).toBe(-neg.true_units);
    expect(neg.units).toBeLessThan(0);
    const [unknown] = truth.dirty_records.unknown_product;
    expect(at(unknown.line)[1]).toBe(unknown.product_id);
    expect(productIds.has(unknown.product_id)).toBe(false);
    // Only the planted lines are dirty: every other key appears once, with units ≥ 0.
    const planted = new Set([
      ...truth.dirty_records.duplicate_rows.map((d) => d.line),
      neg.line,
      unknown.line,
    ]);
    const seen = new Set<string>();
    const unexpected: number[] = [];
    rows.forEach((r, i) => {
      if (planted.has(i + 2)) return;
      const k = key(r[0], r[1], r[2]);
      if ((r[3] as number) < 0 || seen.has(k)) unexpected.push(i + 2);
      seen.add(k);
    });
    expect(unexpected).toEqual([]);
    for (const m of truth.dirty_records.missing_store_periods) {
      expect(rows.some((r) => r[0] === m.store_id && r[2] === m.date)).toBe(false);
      // Prices and inventory still cover the outage: only the POS feed is missing.
      expect(tables.inventory.rows.filter((r) => r[0] === m.store_id && r[2] === m.date)).toHaveLength(
        m.rows_dropped,
      );
    }
  });

  it('writes zero-unit rows for reported days without a sale, most of all for slow movers', () => {
    const slow = truth.products.filter((p) => p.is_slow_mover).map((p) => p.product_id);
    expect(slow).toHaveLength(3);
    const slowRows = tables.sales.rows.filter((r) => slow.includes(r[1] as string));
    const zeroShare = slowRows.filter((r) => r[3] === 0).length / slowRows.length;
    expect(zeroShare).toBeGreaterThan(0.3);
    for (const id of slow)
      expect(product.get(id)!.level * Math.max(...truth.stores.map((s) => s.effect))).toBeLessThan(1);
  });

  it('caps units by stock: units ≤ demand, and units < demand only when stock_on_hand is 0', () => {
    let censored = 0;
    const violations: string[] = [];
    for (const series of truth.demand) {
      series.demand.forEach((demand, t) => {
        const k = key(series.store_id, series.product_id, formatDay(parseIsoDay(series.start)! + t));
        const units = sales.get(k);
        if (units === undefined) return;
        if (units > demand) violations.push(`${k}: units ${units} > demand ${demand}`);
        if (units < demand) {
          censored++;
          if (inventory.get(k)![3] !== 0) violations.push(`${k}: censored with stock left`);
        }
      });
    }
    expect(violations).toEqual([]);
    expect(censored).toBeGreaterThan(0);
    expect(truth.stockouts.stockout_rate).toBeGreaterThanOrEqual(0.02);
    expect(truth.stockouts.stockout_rate).toBeLessThanOrEqual(0.05);
    const zeroStock = tables.inventory.rows.filter((r) => r[3] === 0).length;
    expect(zeroStock).toBe(truth.stockouts.stockout_days);
  });

  it('keeps inventory consistent: stock = previous stock + receipts − units sold', () => {
    const demandBySeries = new Map(truth.demand.map((s) => [`${s.store_id}|${s.product_id}`, s]));
    for (const [s, p] of [
      ['S01', 'P001'],
      ['S03', 'P007'],
    ]) {
      const series = demandBySeries.get(`${s}|${p}`)!;
      let previous: number | undefined;
      for (let t = 0; t < series.demand.length; t++) {
        const k = key(s, p, formatDay(parseIsoDay(series.start)! + t));
        const [, , , stock, receipts] = inventory.get(k)! as number[];
        const units = sales.get(k);
        if (previous !== undefined && units !== undefined) expect(stock).toBe(previous + receipts - units);
        previous = stock;
      }
    }
  });

  it('draws demand around the expected λ in truth.json', () => {
    let demand = 0;
    let expected = 0;
    for (const s of truth.demand) {
      demand += s.demand.reduce((a, b) => a + b, 0);
      expected += s.expected.reduce((a, b) => a + b, 0);
    }
    expect(demand / expected).toBeGreaterThan(0.98);
    expect(demand / expected).toBeLessThan(1.02);
  });

  it('shows the promotion lift: promo days vs the same weekday ±1–2 weeks without promotion', () => {
    // Matched design: neighbours share season and weekday; discount, holiday and sold-out days are
    // left out on both sides.
    const usable = (k: string, date: string) =>
      sales.has(k) && inventory.get(k)![3] !== 0 && prices.get(k)![4] === 0 && !holidays.has(date);
    let promoUnits = 0;
    let controlUnits = 0;
    let trueLiftUnits = 0;
    for (const [k, type] of promo) {
      const [s, p, date] = k.split('|');
      const info = product.get(p)!;
      if (info.is_slow_mover || !usable(k, date)) continue;
      const controls: number[] = [];
      for (const offset of [-14, -7, 7, 14]) {
        const other = formatDay(parseIsoDay(date)! + offset);
        const ok = key(s, p, other);
        if (!promo.has(ok) && usable(ok, other)) controls.push(sales.get(ok)!);
      }
      if (controls.length === 0) continue;
      const control = controls.reduce((a, b) => a + b, 0) / controls.length;
      promoUnits += sales.get(k)!;
      controlUnits += control;
      trueLiftUnits += control * info.promo_lift[type as 'flyer' | 'display' | 'bogo'];
    }
    const observed = promoUnits / controlUnits;
    const expected = trueLiftUnits / controlUnits;
    expect(expected).toBeGreaterThan(1.3);
    expect(Math.abs(observed / expected - 1)).toBeLessThan(0.1);
  });

  it('gives at least half the fast movers rich price variation that reveals their elasticity', () => {
    const fast = truth.products.filter((p) => !p.is_slow_mover);
    const withDiscounts = fast.filter((p) => {
      const rows = tables.prices.rows.filter((r) => r[1] === p.product_id);
      return rows.filter((r) => (r[4] as number) > 0).length / rows.length > 0.1;
    });
    expect(withDiscounts.length).toBeGreaterThanOrEqual(fast.length / 2);
    expect(withDiscounts.every((p) => p.has_discount_events)).toBe(true);
    // A naive grouped log-log slope (mean units per discount depth, promotion and sold-out days
    // left out) lands near the true elasticity; a model with seasonal controls does better.
    const errors = withDiscounts.map((p) => {
      const groups = new Map<number, { n: number; units: number; logPrice: number }>();
      for (const k of salesKeysByProduct.get(p.product_id)!) {
        const units = sales.get(k)!;
        if (promo.has(k) || inventory.get(k)![3] === 0) continue;
        const [, , , shelf, discount] = prices.get(k)! as number[];
        const g = groups.get(discount) ?? { n: 0, units: 0, logPrice: 0 };
        g.n++;
        g.units += units;
        g.logPrice += Math.log((shelf * (1 - discount / 100)) / p.base_price);
        groups.set(discount, g);
      }
      const points = [...groups.values()].filter((g) => g.n >= 20);
      const w = points.reduce((a, g) => a + g.n, 0);
      const mx = points.reduce((a, g) => a + g.logPrice, 0) / w;
      const my = points.reduce((a, g) => a + g.n * Math.log(g.units / g.n), 0) / w;
      let sxy = 0;
      let sxx = 0;
      for (const g of points) {
        const x = g.logPrice / g.n - mx;
        sxy += g.n * x * (Math.log(g.units / g.n) - my);
        sxx += g.n * x * x;
      }
      return Math.abs(sxy / sxx / p.price_elasticity - 1);
    });
    expect(errors.filter((e) => e < 0.15).length / errors.length).toBeGreaterThanOrEqual(0.75);
  });

  it('lets a Poisson regression with calendar, weather and promotion controls recover each elasticity within ±15%', () => {
    const storeIds = truth.stores.map((s) => s.store_id);
    const region = new Map(truth.stores.map((s) => [s.store_id, s.region]));
    const temp = new Map(tables.weather.rows.map((r) => [`${r[0]}|${r[1]}`, r[2] as number]));
    const firstDay = parseIsoDay(truth.window.first_period)!;
    const checked = truth.products.filter((p) => !p.is_slow_mover && p.has_discount_events);
    expect(checked.length).toBeGreaterThanOrEqual(4);
    for (const p of checked) {
      const X: number[][] = [];
      const y: number[] = [];
      for (const k of salesKeysByProduct.get(p.product_id)!) {
        const units = sales.get(k)!;
        const [s, , date] = k.split('|');
        if (inventory.get(k)![3] === 0) continue;
        const [, , , shelf, discount] = prices.get(k)! as number[];
        const day = parseIsoDay(date)!;
        const type = promo.get(k);
        const angle = 2 * Math.PI * yearFraction(day);
        X.push([
          1,
          Math.log((shelf * (1 - discount / 100)) / p.base_price),
          type === 'flyer' ? 1 : 0,
          type === 'display' ? 1 : 0,
          type === 'bogo' ? 1 : 0,
          holidays.has(date) ? 1 : 0,
          temp.get(`${region.get(s)}|${date}`)! / 10,
          Math.cos(angle),
          Math.sin(angle),
          (day - firstDay) / 365.25,
          ...[1, 2, 3, 4, 5, 6].map((d) => (dayOfWeek(day) === d ? 1 : 0)),
          ...storeIds.slice(1).map((id2) => (s === id2 ? 1 : 0)),
        ]);
        y.push(units);
      }
      const beta = poissonRegression(X, y);
      expect(Math.abs(beta[1] / p.price_elasticity - 1)).toBeLessThan(0.15);
    }
  });

  it('shows each product’s weekly profile in the sales', () => {
    let worst = 0;
    for (const p of truth.products.filter((x) => !x.is_slow_mover)) {
      const sums = new Float64Array(7);
      const counts = new Float64Array(7);
      for (const k of salesKeysByProduct.get(p.product_id)!) {
        const units = sales.get(k)!;
        const date = k.split('|')[2];
        if (promo.has(k) || prices.get(k)![4] !== 0 || inventory.get(k)![3] === 0) continue;
        const dow = dayOfWeek(parseIsoDay(date)!);
        sums[dow] += units;
        counts[dow]++;
      }
      const means = Array.from(sums, (s, i) => s / counts[i]);
      const overall = means.reduce((a, b) => a + b, 0) / 7;
      means.forEach((m, i) => {
        worst = Math.max(worst, Math.abs(m / overall / p.weekly_profile[i] - 1));
      });
    }
    expect(worst).toBeLessThan(0.12);
  });

  it('records every true parameter in truth, with elasticity keys', () => {
    const json = truthToJson(retailer);
    expect(json).toMatch(/"price_elasticity"/);
    for (const p of truth.products) {
      expect(p.price_elasticity).toBeLessThan(-0.79);
      expect(p.price_elasticity).toBeGreaterThan(-3.01);
      expect(p.weekly_profile.reduce((a, b) => a + b, 0) / 7).toBeCloseTo(1, 3);
      expect(p.unit_cost / p.base_price).toBeGreaterThanOrEqual(0.49);
      expect(p.unit_cost / p.base_price).toBeLessThanOrEqual(0.81);
      for (const lift of Object.values(p.promo_lift)) {
        expect(lift).toBeGreaterThanOrEqual(1.2);
        expect(lift).toBeLessThanOrEqual(2.5);
      }
    }
    expect(truth.demand).toHaveLength(60);
    expect(truth.demand[0].expected).toHaveLength(730);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(truth)));
  });
});

describe('generateDemoRetailer, weekly', () => {
  const weekly = generateDemoRetailer({
    freq: 'week',
    start: '2023-01-04',
    days: 28,
    stores: 2,
    products: 3,
  });

  it('writes Monday dates, moving start back to its Monday and covering whole weeks', () => {
    expect(weekly.truth.window.first_period).toBe('2023-01-02');
    // 28 days from Wednesday 2023-01-04 end on Tuesday 2023-01-31: five weeks.
    expect(weekly.truth.window.periods).toBe(5);
    for (const source of ['sales', 'prices', 'inventory', 'weather'] as const) {
      for (const row of weekly.tables[source].rows) {
        const date = row[weekly.tables[source].columns.indexOf('date')] as string;
        expect(dayOfWeek(parseIsoDay(date)!)).toBe(0);
      }
    }
    expect(weekly.tables.calendar.rows).toHaveLength(35);
  });

  it('sums daily demand into weekly units', () => {
    const daily = generateDemoRetailer({
      freq: 'day',
      start: '2023-01-02',
      days: 35,
      stores: 2,
      products: 3,
    });
    // Same seed and the same simulated days: the weekly demand is the sum of the daily demand.
    const d = daily.truth.demand[0].demand;
    const w = weekly.truth.demand[0].demand;
    for (let week = 0; week < 5; week++) {
      expect(w[week]).toBe(d.slice(week * 7, week * 7 + 7).reduce((a, b) => a + b, 0));
    }
    const rowCount = 2 * 3 * 5 - weekly.truth.dirty_records.missing_store_periods.length * 3 + 4;
    expect(weekly.tables.sales.rows).toHaveLength(rowCount);
  });
});

describe('generateDemoRetailer, any small size', () => {
  it('keeps the row-count formula, the schema and the stock cap for every option set', () => {
    fc.assert(
      fc.property(
        fc.record({
          stores: fc.integer({ min: 1, max: 4 }),
          products: fc.integer({ min: 1, max: 5 }),
          days: fc.integer({ min: 1, max: 60 }),
          freq: fc.constantFrom('day' as const, 'week' as const),
          seed: fc.integer({ min: 0, max: 1000 }),
          start: fc.constantFrom('2023-01-02', '2024-02-29', '2025-12-31'),
        }),
        (options) => {
          const r = generateDemoRetailer(options);
          const periods = r.truth.window.periods;
          const dropped = r.truth.dirty_records.missing_store_periods.length * options.products;
          const full = options.stores * options.products * periods;
          expect(r.tables.sales.rows).toHaveLength(
            full - dropped + r.truth.dirty_records.duplicate_rows.length + 1,
          );
          expect(r.tables.inventory.rows).toHaveLength(full);
          for (const source of SOURCE_NAMES) {
            expect(r.tables[source].columns).toEqual(SOURCES[source].columns.map((c) => c.name));
          }
          for (const series of r.truth.demand) expect(series.demand).toHaveLength(periods);
          const stock = byKey(r.tables.inventory.rows);
          const demand = new Map(r.truth.demand.map((d) => [`${d.store_id}|${d.product_id}`, d.demand]));
          const firstDay = parseIsoDay(r.truth.window.first_period)!;
          const step = options.freq === 'week' ? 7 : 1;
          for (const [s, p, date, units] of r.tables.sales.rows) {
            const series = demand.get(`${s}|${p}`);
            if (series === undefined || (units as number) < 0) continue;
            const d = series[(parseIsoDay(date as string)! - firstDay) / step];
            expect(units as number).toBeLessThanOrEqual(d);
            if ((units as number) < d && step === 1) expect(stock.get(key(s, p, date))![3]).toBe(0);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
