/**
 * Test support: the daily demo retailer as an in-memory Panel, the way `readForecastData` reads an
 * ingested panel (series `store_id/product_id`, target units, every driver joined, stockout rows
 * weighted 0), without going through files and DuckDB so explanation tests stay fast.
 */
import { parseIsoDay } from '../../core/dates.js';
import type { DemoRetailer } from '../../data/demo/generate.js';
import { buildPanel, type Panel } from '../../features/panel.js';

function day(value: unknown): number {
  const d = parseIsoDay(String(value));
  if (d === undefined) throw new Error(`bad demo date ${String(value)}`);
  return d;
}

/**
 * The panel of a daily demo retailer: one row per store × product × day with units (duplicate,
 * negative and unknown-product sales rows dropped, as ingestion does) and the drivers price,
 * discount_pct, paid_price, base_price, unit_cost, on_promo, promo_type, is_holiday, is_payday,
 * temp_c, precip_mm, store_type, size_sqm, region, category and department.
 */
export function demoPanel(retailer: DemoRetailer): Panel {
  const { tables } = retailer;
  const products = new Map(tables.products.rows.map((r) => [String(r[0]), r]));
  const stores = new Map(tables.stores.rows.map((r) => [String(r[0]), r]));
  const key = (store: unknown, product: unknown, date: number) =>
    `${String(store)}/${String(product)}|${date}`;
  const prices = new Map<string, [number, number]>();
  for (const [store, product, date, price, discount] of tables.prices.rows)
    prices.set(key(store, product, day(date)), [Number(price), Number(discount)]);
  const stockout = new Set<string>();
  for (const [store, product, date, stock] of tables.inventory.rows)
    if (Number(stock) === 0) stockout.add(key(store, product, day(date)));
  const calendar = new Map(tables.calendar.rows.map((r) => [day(r[0]), r]));
  const weather = new Map(tables.weather.rows.map((r) => [`${String(r[0])}|${day(r[1])}`, r]));
  const promos = new Map<string, string>();
  for (const [, product, store, type, start, end] of tables.promotions.rows) {
    const targets = store === null || store === '' ? [...stores.keys()] : [String(store)];
    for (let d = day(start); d <= day(end); d++)
      for (const s of targets) promos.set(key(s, product, d), String(type));
  }

  const seen = new Set<string>();
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const weight: number[] = [];
  const num: Record<string, number[]> = {};
  const text: Record<string, (string | null)[]> = {};
  const numeric = [
    'price',
    'discount_pct',
    'paid_price',
    'base_price',
    'unit_cost',
    'on_promo',
    'is_holiday',
    'is_payday',
    'temp_c',
    'precip_mm',
    'size_sqm',
  ];
  const texts = ['promo_type', 'store_type', 'region', 'category', 'department'];
  for (const c of numeric) num[c] = [];
  for (const c of texts) text[c] = [];
  for (const [store, product, d0, units] of tables.sales.rows) {
    const p = products.get(String(product));
    const s = stores.get(String(store));
    if (!p || !s || Number(units) < 0) continue;
    const d = day(d0);
    const k = key(store, product, d);
    if (seen.has(k)) continue;
    seen.add(k);
    const [price, discount] = prices.get(k) ?? [Number.NaN, Number.NaN];
    const cal = calendar.get(d);
    const w = weather.get(`${String(s[4])}|${d}`);
    const promo = promos.get(k) ?? null;
    seriesId.push(`${String(store)}/${String(product)}`);
    date.push(d);
    y.push(Number(units));
    weight.push(stockout.has(k) ? 0 : 1);
    const row: Record<string, number> = {
      price,
      discount_pct: discount,
      paid_price: price * (1 - discount / 100),
      base_price: Number(p[5]),
      unit_cost: Number(p[4]),
      on_promo: promo ? 1 : 0,
      is_holiday: cal && (cal[1] === true || cal[1] === 1) ? 1 : 0,
      is_payday: cal && (cal[3] === true || cal[3] === 1) ? 1 : 0,
      temp_c: w ? Number(w[2]) : Number.NaN,
      precip_mm: w ? Number(w[3]) : Number.NaN,
      size_sqm: Number(s[3]),
    };
    for (const c of numeric) num[c].push(row[c]);
    text.promo_type.push(promo);
    text.store_type.push(String(s[2]));
    text.region.push(String(s[4]));
    text.category.push(String(p[2]));
    text.department.push(String(p[3]));
  }
  return buildPanel(
    { seriesId, date, y, weight, exog: { ...num, ...text } },
    { freq: 'day', source: 'demo' },
  );
}
