/**
 * Consolidation: one row per store × product × period with every driver joined, written as
 * Parquet sorted by store_id, product_id, date. Column meanings are documented in docs/DATA.md.
 */
import type { Frequency } from '../../core/dates.js';
import { type DuckDBConnection, sqlString } from '../duckdb.js';
import { PANEL_KEY_AND_OUTCOME_COLUMNS, type SourceName } from '../schema.js';

/** Panel columns, in file order. */
export const PANEL_COLUMNS = [
  ...PANEL_KEY_AND_OUTCOME_COLUMNS,
  'price',
  'discount_pct',
  'paid_price',
  'base_price',
  'unit_cost',
  'on_promo',
  'promo_type',
  'is_holiday',
  'holiday_name',
  'is_payday',
  'temp_c',
  'precip_mm',
  'store_type',
  'size_sqm',
  'region',
  'opening_date',
  'category',
  'department',
] as const;

export type SalesStatus = 'observed' | 'no_sale' | 'missing';

export interface PanelStats {
  readonly rows: number;
  readonly series: number;
  readonly periods: number;
  readonly first_date: string;
  readonly last_date: string;
  readonly frequency: Frequency;
  readonly status_counts: Record<SalesStatus, number>;
  /** Rows flagged as stockout (demand censored). */
  readonly stockout_rows: number;
}

/**
 * Writes the panel to `path` as Parquet (zstd), sorted by store_id, product_id, date. It is built
 * from `grid`, `ok_sales`, `store_periods`, `rejected_sales`, `ok_stores`, `ok_products` and the
 * `drv_*` views of the present driver sources; drivers of absent sources are NULL. Every large
 * join is on integer surrogates (`__s`, `__p`), and the sort is on the grid's `__pos`, one integer
 * ordered by the surrogates and the date: surrogates are ranks of the sorted ids, so the order is
 * the same and far cheaper than sorting strings.
 */
export async function writePanel(
  conn: DuckDBConnection,
  path: string,
  present: ReadonlySet<SourceName>,
): Promise<void> {
  const has = (s: SourceName) => present.has(s);
  const byKey = (alias: string) => `${alias}.__s = g.__s AND ${alias}.__p = g.__p AND ${alias}.date = g.date`;
  const joins = [
    has('prices') ? `LEFT JOIN drv_prices pr ON ${byKey('pr')}` : '',
    has('inventory') ? `LEFT JOIN drv_inventory inv ON ${byKey('inv')}` : '',
    has('promotions') ? `LEFT JOIN drv_promotions pm ON ${byKey('pm')}` : '',
    has('calendar') ? 'LEFT JOIN drv_calendar cal ON cal.date = g.date' : '',
    has('weather') ? 'LEFT JOIN drv_weather w ON w.__s = g.__s AND w.date = g.date' : '',
  ];
  const price = has('prices') ? 'pr.price' : 'NULL::DOUBLE';
  const discount = has('prices')
    ? 'CASE WHEN pr.price IS NOT NULL THEN coalesce(pr.discount_pct, 0) END'
    : 'NULL::DOUBLE';
  const noSale = 'rj.__s IS NULL AND sp.__s IS NOT NULL';
  await conn.run(`
    COPY (
      SELECT
        st.store_id, p.product_id, g.date,
        CASE WHEN s.__line IS NOT NULL THEN s.units WHEN ${noSale} THEN 0 END::DOUBLE AS units,
        CASE WHEN s.__line IS NOT NULL THEN s.revenue WHEN ${noSale} THEN 0 END::DOUBLE AS revenue,
        CASE WHEN s.__line IS NOT NULL THEN 'observed' WHEN ${noSale} THEN 'no_sale' ELSE 'missing' END AS sales_status,
        ${has('inventory') ? 'inv.stockout' : 'NULL::BOOLEAN'} AS stockout,
        ${has('inventory') ? 'inv.stock_on_hand' : 'NULL::DOUBLE'} AS stock_on_hand,
        ${has('inventory') ? 'inv.receipts' : 'NULL::DOUBLE'} AS receipts,
        ${price} AS price,
        ${discount} AS discount_pct,
        round(${price} * (1 - (${discount}) / 100), 4) AS paid_price,
        p.base_price, p.unit_cost,
        ${has('promotions') ? 'pm.promo_type IS NOT NULL' : 'NULL::BOOLEAN'} AS on_promo,
        ${has('promotions') ? 'pm.promo_type' : 'NULL::VARCHAR'} AS promo_type,
        ${has('calendar') ? 'coalesce(cal.is_holiday, false)' : 'NULL::BOOLEAN'} AS is_holiday,
        ${has('calendar') ? 'cal.holiday_name' : 'NULL::VARCHAR'} AS holiday_name,
        ${has('calendar') ? 'coalesce(cal.is_payday, false)' : 'NULL::BOOLEAN'} AS is_payday,
        ${has('weather') ? 'w.temp_c' : 'NULL::DOUBLE'} AS temp_c,
        ${has('weather') ? 'w.precip_mm' : 'NULL::DOUBLE'} AS precip_mm,
        st.type AS store_type, st.size_sqm, st.region, st.opening_date,
        p.category, p.department
      FROM grid g
      LEFT JOIN ok_sales s ON ${byKey('s')}
      LEFT JOIN store_periods sp ON sp.__s = g.__s AND sp.date = g.date
      LEFT JOIN rejected_sales rj ON ${byKey('rj')}
      JOIN ok_stores st ON st.__s = g.__s
      JOIN ok_products p ON p.__p = g.__p
      ${joins.filter(Boolean).join('\n      ')}
      ORDER BY g.__pos
    ) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
}

/** Row, series and status counts and the date range of the panel written to `path`. */
export async function panelStats(
  conn: DuckDBConnection,
  path: string,
  frequency: Frequency,
): Promise<PanelStats> {
  const r = await conn.runAndReadAll(`
    SELECT count(*), count(DISTINCT (store_id, product_id)), count(DISTINCT date),
      strftime(min(date), '%Y-%m-%d'), strftime(max(date), '%Y-%m-%d'),
      count(*) FILTER (sales_status = 'observed'), count(*) FILTER (sales_status = 'no_sale'),
      count(*) FILTER (sales_status = 'missing'), count(*) FILTER (stockout)
    FROM read_parquet(${sqlString(path)})`);
  const [rows, series, periods, first, last, observed, noSale, missing, stockout] = r.getRows()[0];
  return {
    rows: Number(rows),
    series: Number(series),
    periods: Number(periods),
    first_date: String(first),
    last_date: String(last),
    frequency,
    status_counts: { observed: Number(observed), no_sale: Number(noSale), missing: Number(missing) },
    stockout_rows: Number(stockout),
  };
}
