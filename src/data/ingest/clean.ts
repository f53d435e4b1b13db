/**
 * Cleaning after validation: the panel's frequency, the series × period grid with its gaps made
 * explicit (no sale is not the same as missing), and every driver brought to the panel's period
 * (stockouts flagged, daily drivers aggregated to weeks for weekly sales).
 */
import { type Frequency, periodDays } from '../../core/dates.js';
import type { DuckDBConnection } from '../duckdb.js';
import type { SourceName } from '../schema.js';
import { dateSql, REJECTIONS_TABLE } from './rules.js';

/**
 * Weekly when the sales dates that parse are at least two distinct Mondays and nothing else;
 * daily otherwise. Weekly dates are Mondays, so their spacing is whole weeks by construction.
 * Runs on `src_sales`, before validation, because validation depends on the frequency; it parses
 * each distinct date text once rather than every row's.
 */
export async function inferFrequency(
  conn: DuckDBConnection,
  dateFormat: string | undefined,
): Promise<Frequency> {
  const r = await conn.runAndReadAll(`
    SELECT count(DISTINCT d), coalesce(bool_and(isodow(d) = 1), false)
    FROM (SELECT ${dateSql("NULLIF(trim(date), '')", dateFormat)} AS d FROM (SELECT DISTINCT date FROM src_sales))
    WHERE isfinite(d)`);
  const [n, mondays] = r.getRows()[0] as [bigint, boolean];
  return Number(n) >= 2 && mondays ? 'week' : 'day';
}

/** SQL for the start of the period holding the DATE expression `day`. */
export function periodOf(day: string, frequency: Frequency): string {
  return frequency === 'week' ? `date_trunc('week', ${day})::DATE` : day;
}

/**
 * Creates `grid(__s, __p, date, __pos)` (store and product surrogates): for every series in the
 * accepted sales, each period from its first sale through the last sales period of the whole
 * panel. `__pos` orders the grid by store, product and date as one integer, which sorts far
 * faster than the three columns. A series cannot start before its store opened: earlier sales are
 * rejected as `before_opening`. Also creates `store_periods(__s, date)`, the periods each store
 * reported, and `rejected_sales(__s, __p, date)`, the keys of rejected sales rows.
 */
export async function buildGrid(conn: DuckDBConnection, frequency: Frequency): Promise<void> {
  const k = periodDays(frequency);
  await conn.run(`
    CREATE OR REPLACE TABLE grid AS
    SELECT __s, __p, (first + CAST(i * ${k} AS INTEGER))::DATE AS date, series * periods + i AS __pos
    FROM (
      SELECT __s, __p, first, series, periods, unnest(range(0, datediff('day', first, last) // ${k} + 1)) AS i
      FROM (
        SELECT __s, __p, min(date) AS first, row_number() OVER (ORDER BY __s, __p) AS series
        FROM ok_sales GROUP BY __s, __p
      ), (SELECT max(date) AS last, datediff('day', min(date), max(date)) // ${k} + 1 AS periods FROM ok_sales)
    )`);
  // A store that reported any product in a period was open and its till worked: the other
  // products sold nothing. A store with no rows at all in a period is missing data (an outage).
  await conn.run('CREATE OR REPLACE TABLE store_periods AS SELECT DISTINCT __s, date FROM ok_sales');
  // A rejected row still says the product was in the file for that period: its units are
  // unknown, so the period is missing rather than a no-sale.
  await conn.run(`
    CREATE OR REPLACE TABLE rejected_sales AS
    SELECT DISTINCT c.__s, c.__p, c.date
    FROM ${REJECTIONS_TABLE} r JOIN chk_sales c ON c.__line = r.line
    WHERE r.source = 'sales' AND c.__s IS NOT NULL AND c.__p IS NOT NULL AND c.date IS NOT NULL`);
}

/** Whether every accepted date of a source is a Monday, i.e. the source is already weekly. */
async function isWeekly(conn: DuckDBConnection, table: string, column: string): Promise<boolean> {
  const r = await conn.runAndReadAll(`SELECT coalesce(bool_and(isodow(${column}) = 1), true) FROM ${table}`);
  return r.getRows()[0][0] === true;
}

/**
 * Creates one view per present driver source, keyed by store and product surrogates and the
 * panel's period: `drv_prices(__s, __p, date, price, discount_pct)`,
 * `drv_inventory(__s, __p, date, stock_on_hand, receipts, stockout)`,
 * `drv_calendar(date, is_holiday, holiday_name, is_payday)`,
 * `drv_weather(__s, date, temp_c, precip_mm)` (each store gets its region's weather) and
 * `drv_promotions(__s, __p, date, promo_type)` (promotions expanded to every period they
 * overlap, store-less promotions to every store).
 *
 * For weekly panels, daily drivers are aggregated to their Monday: price and discount mean,
 * stock at the last day of the week, receipts summed, stockout if any day ended at 0, holiday
 * and payday if any day is one, holiday names joined, temperature mean, precipitation summed.
 */
export async function alignDrivers(
  conn: DuckDBConnection,
  frequency: Frequency,
  present: ReadonlySet<SourceName>,
): Promise<void> {
  const weekly = frequency === 'week';
  const needsAggregation = async (table: string) => weekly && !(await isWeekly(conn, table, 'date'));
  if (present.has('prices')) {
    await conn.run(
      (await needsAggregation('ok_prices'))
        ? `CREATE OR REPLACE VIEW drv_prices AS SELECT __s, __p, ${periodOf('date', frequency)} AS date,
             avg(price) AS price, avg(discount_pct) AS discount_pct FROM ok_prices GROUP BY ALL`
        : 'CREATE OR REPLACE VIEW drv_prices AS SELECT __s, __p, date, price, discount_pct FROM ok_prices',
    );
  }
  if (present.has('inventory')) {
    await conn.run(
      (await needsAggregation('ok_inventory'))
        ? `CREATE OR REPLACE VIEW drv_inventory AS SELECT __s, __p, ${periodOf('date', frequency)} AS date,
             arg_max(stock_on_hand, date) AS stock_on_hand, sum(receipts) AS receipts,
             bool_or(stock_on_hand = 0) AS stockout FROM ok_inventory GROUP BY ALL`
        : `CREATE OR REPLACE VIEW drv_inventory AS SELECT __s, __p, date, stock_on_hand, receipts,
             stock_on_hand = 0 AS stockout FROM ok_inventory`,
    );
  }
  if (present.has('calendar')) {
    await conn.run(
      (await needsAggregation('ok_calendar'))
        ? `CREATE OR REPLACE VIEW drv_calendar AS SELECT ${periodOf('date', frequency)} AS date,
             bool_or(is_holiday) AS is_holiday, string_agg(DISTINCT holiday_name, '; ' ORDER BY holiday_name) AS holiday_name,
             bool_or(is_payday) AS is_payday FROM ok_calendar GROUP BY ALL`
        : 'CREATE OR REPLACE VIEW drv_calendar AS SELECT date, is_holiday, holiday_name, is_payday FROM ok_calendar',
    );
  }
  if (present.has('weather')) {
    const byRegion = (await needsAggregation('ok_weather'))
      ? `SELECT region, ${periodOf('date', frequency)} AS date, avg(temp_c) AS temp_c, sum(precip_mm) AS precip_mm
         FROM ok_weather GROUP BY ALL`
      : 'SELECT region, date, temp_c, precip_mm FROM ok_weather';
    // Weather per store (stores × periods rows) so that the panel joins it on integer keys.
    await conn.run(`
      CREATE OR REPLACE TABLE drv_weather AS
      SELECT ds.__s, w.date, w.temp_c, w.precip_mm FROM (${byRegion}) w JOIN ok_stores ds ON ds.region = w.region`);
  }
  if (present.has('promotions')) {
    await conn.run(`
      CREATE OR REPLACE TABLE drv_promotions AS
      SELECT __s, __p, date, string_agg(DISTINCT promo_type, ',' ORDER BY promo_type) AS promo_type
      FROM (
        SELECT s.__s, p.__p, p.promo_type, ${periodOf('(p.start_date + CAST(p.i AS INTEGER))', frequency)} AS date
        FROM (SELECT *, unnest(range(0, datediff('day', start_date, end_date) + 1)) AS i FROM ok_promotions) p
        JOIN ok_stores s ON p.store_id IS NULL OR p.store_id = s.store_id
      )
      GROUP BY ALL`);
  }
}
