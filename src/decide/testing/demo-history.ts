/**
 * Test support: turns the in-memory tables of the demo retailer into the decision engine's inputs,
 * the way the consolidated sales panel will once it is wired. Daily demo data only.
 */
import { parseIsoDay } from '../../core/dates.js';
import type { DemoRetailer } from '../../data/demo/generate.js';
import type { SalesHistory } from '../../forecast/elasticity.js';

const PROMO_CODES: Readonly<Record<string, number>> = { flyer: 1, display: 2, bogo: 3 };

/**
 * Sales history of a daily demo retailer: one row per store × product × day present in `sales`
 * (duplicates, negative and unknown-product rows dropped), with the paid price from `prices`,
 * stockout days flagged from `inventory`, promotions, holidays and the regional temperature as a
 * control.
 */
export function demoSalesHistory(retailer: DemoRetailer): SalesHistory {
  const { tables } = retailer;
  const productIds = tables.products.rows.map((r) => String(r[0]));
  const productIndex = new Map(productIds.map((id, j) => [id, j]));
  const referencePrice = Float64Array.from(tables.products.rows, (r) => Number(r[5]));
  const storeIds = tables.stores.rows.map((r) => String(r[0]));
  const storeIndex = new Map(storeIds.map((id, s) => [id, s]));
  const storeRegion = tables.stores.rows.map((r) => String(r[4]));

  const dayCache = new Map<string, number>();
  const day = (text: unknown): number => {
    const t = String(text);
    let d = dayCache.get(t);
    if (d === undefined) {
      d = parseIsoDay(t);
      if (d === undefined) throw new RangeError(`not a date: ${t}`);
      dayCache.set(t, d);
    }
    return d;
  };
  // Dense arrays over day × store × product: the demo covers every cell of that cube.
  const firstDay = day(retailer.truth.window.first_period);
  const nCells = retailer.truth.window.days_simulated * storeIds.length * productIds.length;
  const key = (s: number, j: number, d: number) =>
    ((d - firstDay) * storeIds.length + s) * productIds.length + j;
  const store = (id: unknown) => storeIndex.get(String(id)) as number;
  const product = (id: unknown) => productIndex.get(String(id)) as number;

  const paid = new Float64Array(nCells);
  for (const [s, p, date, price, discount] of tables.prices.rows) {
    paid[key(store(s), product(p), day(date))] = Number(price) * (1 - Number(discount) / 100);
  }
  const stockout = new Uint8Array(nCells);
  for (const [s, p, date, stock] of tables.inventory.rows) {
    if (Number(stock) === 0) stockout[key(store(s), product(p), day(date))] = 1;
  }
  const holidays = new Set(tables.calendar.rows.filter((r) => r[1] === true).map((r) => day(r[0])));
  const temperature = new Map<string, number>();
  for (const [region, date, temp] of tables.weather.rows)
    temperature.set(`${region}|${day(date)}`, Number(temp));
  const promoOn = new Uint8Array(nCells);
  for (const [, p, s, type, start, end] of tables.promotions.rows) {
    const j = product(p);
    const stores = s === null || s === '' ? storeIds.map((_, k) => k) : [store(s)];
    for (let d = day(start); d <= day(end); d++)
      for (const k of stores) promoOn[key(k, j, d)] = PROMO_CODES[String(type)];
  }

  const seen = new Uint8Array(nCells);
  const rows: { s: number; j: number; d: number; units: number }[] = [];
  for (const [storeId, productId, date, units] of tables.sales.rows) {
    const s = storeIndex.get(String(storeId));
    const j = productIndex.get(String(productId));
    if (s === undefined || j === undefined || Number(units) < 0) continue;
    const d = day(date);
    const k = key(s, j, d);
    if (seen[k]) continue;
    seen[k] = 1;
    rows.push({ s, j, d, units: Number(units) });
  }
  return {
    productIds,
    referencePrice,
    product: Int32Array.from(rows, (r) => r.j),
    store: Int32Array.from(rows, (r) => r.s),
    day: Int32Array.from(rows, (r) => r.d),
    units: Float64Array.from(rows, (r) => r.units),
    paidPrice: Float64Array.from(rows, (r) => paid[key(r.s, r.j, r.d)]),
    promotion: Uint8Array.from(rows, (r) => promoOn[key(r.s, r.j, r.d)]),
    holiday: Uint8Array.from(rows, (r) => (holidays.has(r.d) ? 1 : 0)),
    censored: Uint8Array.from(rows, (r) => stockout[key(r.s, r.j, r.d)]),
    controls: [
      {
        name: 'temp_c',
        values: Float64Array.from(rows, (r) => temperature.get(`${storeRegion[r.s]}|${r.d}`) as number),
      },
    ],
  };
}
