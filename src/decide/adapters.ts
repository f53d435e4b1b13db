/**
 * Adapters from what the platform has (a model's quantile forecasts, the consolidated sales panel
 * as read from `panel.parquet`) to the decision engine's inputs: one `DemandDistribution` per
 * series and period, the current stock and prices of each series, the `SalesHistory` the
 * elasticity regression reads and the `StoreHistory` the expansion ranking reads. Pure: the
 * caller reads the files.
 */
import { formatDay, parseIsoDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { ColumnValues } from '../data/duckdb.js';
import { isCategorical, type Panel } from '../features/panel.js';
import type { SalesHistory } from '../forecast/elasticity.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import { type DemandDistribution, quantileDemand } from './demand-distribution.js';
import type { StoreHistory } from './store-expansion.js';

/** The columns of a consolidated panel (docs/DATA.md), as `readTable` returns them. */
export interface PanelColumns {
  readonly columns: readonly string[];
  readonly rows: number;
  get(column: string): ColumnValues;
}

/**
 * One distribution per period for every series of model `model`'s forecast, period 0 first, built
 * with `quantileDemand` from its quantile columns (q0.1, q0.5, q0.9 by default). Quantiles below 0
 * are raised to 0: a regression's lower quantile can dip below zero, demand cannot. Throws
 * INVALID_ARGUMENT when the model has no quantile forecasts.
 */
export function forecastDemand(result: ForecastResult, model: string): Map<string, DemandDistribution[]> {
  const out = result.models[model];
  if (!out) {
    throw new SalescastError('INVALID_ARGUMENT', `the forecast has no model '${model}'.`, { field: 'model' });
  }
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  if (levels.length === 0) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `model '${model}' forecasts no quantiles; decisions need a forecast distribution (train with --quantiles).`,
      { field: 'model' },
    );
  }
  const columns = levels.map((q) => out.quantiles.get(q) as Float64Array);
  const values = new Float64Array(levels.length);
  const { h } = result;
  const byId = new Map<string, DemandDistribution[]>();
  result.seriesIds.forEach((id, s) => {
    const periods: DemandDistribution[] = [];
    for (let k = 0; k < h; k++) {
      columns.forEach((c, i) => {
        const v = c[s * h + k];
        values[i] = Number.isFinite(v) ? Math.max(0, v) : 0;
      });
      periods.push(quantileDemand(levels, values));
    }
    byId.set(id, periods);
  });
  return byId;
}

/** What the panel says about one series at its last period. */
export interface SeriesState {
  readonly seriesId: string;
  readonly storeId: string;
  readonly productId: string;
  /** Day number of the series' last panel row: the forecast origin is the next period. */
  readonly lastDay: number;
  /** Units on hand at the end of the last period with an inventory row, or null without one. */
  readonly onHand: number | null;
  /** Shelf price before discount, of the last row with a price. */
  readonly shelfPrice: number | null;
  /** Price paid after discount, of the last row with a price. */
  readonly paidPrice: number | null;
  readonly unitCost: number | null;
  /** Regular price (products source). */
  readonly basePrice: number | null;
}

function numeric(table: PanelColumns, column: string): Float64Array | undefined {
  if (!table.columns.includes(column)) return undefined;
  const v = table.get(column);
  return v instanceof Float64Array
    ? v
    : Float64Array.from(v, (x) => (x === null || x === '' ? Number.NaN : Number(x)));
}

/** A boolean column read as text ('true'/'false') or numbers, as 1/0 (NaN when null). */
function flag(table: PanelColumns, column: string): Float64Array | undefined {
  if (!table.columns.includes(column)) return undefined;
  const v = table.get(column);
  if (v instanceof Float64Array) return v;
  return Float64Array.from(v, (x) => (x === null ? Number.NaN : x === 'true' || x === '1' ? 1 : 0));
}

function text(table: PanelColumns, column: string): (string | null)[] {
  const v = table.get(column);
  return Array.from(v as ArrayLike<number | string | null>, (x) =>
    x === null || (typeof x === 'number' && Number.isNaN(x)) ? null : String(x),
  );
}

function days(table: PanelColumns): Int32Array {
  const v = table.get('date');
  return Int32Array.from(v as ArrayLike<number | string | null>, (x, i) => {
    const d = typeof x === 'string' ? parseIsoDay(x.slice(0, 10)) : undefined;
    if (d === undefined) {
      throw new SalescastError('INVALID_DATA', `panel row ${i + 1}: date '${x}' is not an ISO date.`, {
        line: i + 2,
        field: 'date',
      });
    }
    return d;
  });
}

const last = (values: Float64Array | undefined, rows: readonly number[]): number | null => {
  if (!values) return null;
  for (let k = rows.length - 1; k >= 0; k--) if (Number.isFinite(values[rows[k]])) return values[rows[k]];
  return null;
};

/** Row indices of each series `store_id/product_id`, in date order. */
function seriesRows(table: PanelColumns, day: Int32Array): Map<string, number[]> {
  const stores = text(table, 'store_id');
  const products = text(table, 'product_id');
  const rows = new Map<string, number[]>();
  for (let i = 0; i < table.rows; i++) {
    const id = `${stores[i]}/${products[i]}`;
    const list = rows.get(id);
    if (list) list.push(i);
    else rows.set(id, [i]);
  }
  for (const list of rows.values()) list.sort((a, b) => day[a] - day[b]);
  return rows;
}

/**
 * The state of every series of an ingested panel at its last period: stock on hand (the last
 * `stock_on_hand`), shelf and paid price, unit cost and base price. Missing columns give nulls.
 */
export function panelSeriesStates(table: PanelColumns): Map<string, SeriesState> {
  const day = days(table);
  const stock = numeric(table, 'stock_on_hand');
  const price = numeric(table, 'price');
  const paid = numeric(table, 'paid_price');
  const cost = numeric(table, 'unit_cost');
  const base = numeric(table, 'base_price');
  const out = new Map<string, SeriesState>();
  for (const [seriesId, rows] of seriesRows(table, day)) {
    const slash = seriesId.indexOf('/');
    // The stock of the last period only: an older count says nothing about today's shelf.
    const lastRow = rows[rows.length - 1];
    const onHand = stock && Number.isFinite(stock[lastRow]) ? stock[lastRow] : null;
    out.set(seriesId, {
      seriesId,
      storeId: seriesId.slice(0, slash),
      productId: seriesId.slice(slash + 1),
      lastDay: day[lastRow],
      onHand,
      shelfPrice: last(price, rows),
      paidPrice: last(paid, rows),
      unitCost: last(cost, rows),
      basePrice: last(base, rows),
    });
  }
  return out;
}

/**
 * The elasticity regression's input from an ingested panel: one row per store × product × period
 * with units, the paid price, promotions (one code per distinct `promo_type`), holidays, the
 * regional temperature as a control (when every row has one), and stockout periods censored
 * (`stockout` true, or `stock_on_hand` = 0). The reference price is the product's `base_price`,
 * else its most common paid price. Rows without units or a paid price are kept as NaN units, which
 * the regression ignores.
 */
export function panelSalesHistory(table: PanelColumns): SalesHistory {
  const day = days(table);
  const stores = text(table, 'store_id');
  const products = text(table, 'product_id');
  const units = numeric(table, 'units') ?? new Float64Array(table.rows).fill(Number.NaN);
  const paid = numeric(table, 'paid_price') ?? numeric(table, 'price');
  if (!paid) {
    throw new SalescastError(
      'MISSING_COLUMN',
      "the panel has no 'paid_price' or 'price' column to estimate elasticities from.",
      {
        field: 'paid_price',
      },
    );
  }
  const base = numeric(table, 'base_price');
  const stockout = flag(table, 'stockout');
  const stock = numeric(table, 'stock_on_hand');
  const holiday = flag(table, 'is_holiday');
  const promoType = table.columns.includes('promo_type') ? text(table, 'promo_type') : undefined;
  const temp = numeric(table, 'temp_c');

  const productIds = [...new Set(products.map(String))].sort();
  const productIndex = new Map(productIds.map((p, j) => [p, j]));
  const storeIndex = new Map([...new Set(stores.map(String))].sort().map((s, k) => [s, k]));
  const promoCodes = new Map<string, number>();
  const n = table.rows;
  const h: SalesHistory = {
    productIds,
    referencePrice: new Float64Array(productIds.length),
    product: Int32Array.from(products, (p) => productIndex.get(String(p)) as number),
    store: Int32Array.from(stores, (s) => storeIndex.get(String(s)) as number),
    day,
    units: Float64Array.from({ length: n }, (_, i) =>
      Number.isFinite(paid[i]) && paid[i] > 0 ? units[i] : Number.NaN,
    ),
    paidPrice: Float64Array.from(paid, (p) => (Number.isFinite(p) && p > 0 ? p : 1)),
    promotion: Uint8Array.from({ length: n }, (_, i) => {
      const t = promoType?.[i];
      if (!t) return 0;
      if (!promoCodes.has(t)) promoCodes.set(t, Math.min(255, promoCodes.size + 1));
      return promoCodes.get(t) as number;
    }),
    holiday: Uint8Array.from({ length: n }, (_, i) => (holiday?.[i] === 1 ? 1 : 0)),
    censored: Uint8Array.from({ length: n }, (_, i) => (stockout?.[i] === 1 || stock?.[i] === 0 ? 1 : 0)),
    controls: temp?.every(Number.isFinite) ? [{ name: 'temp_c', values: temp }] : [],
  };
  // Reference price: the products source's base price, else the product's most common paid price.
  const ref = h.referencePrice as Float64Array;
  const counts = productIds.map(() => new Map<number, number>());
  for (let i = 0; i < n; i++) {
    const j = h.product[i];
    if (base && Number.isFinite(base[i]) && base[i] > 0) ref[j] = base[i];
    else if (Number.isFinite(paid[i]) && paid[i] > 0)
      counts[j].set(paid[i], (counts[j].get(paid[i]) ?? 0) + 1);
  }
  counts.forEach((c, j) => {
    if (ref[j] > 0) return;
    let best = 1;
    let most = 0;
    for (const [p, k] of c) if (k > most) [best, most] = [p, k];
    ref[j] = best;
  });
  return h;
}

/**
 * Daily (or weekly) revenue per store from an ingested panel, with the store's region, type and
 * size: the `revenue` column where given, else units × paid price. Stores without a size are left
 * out (they cannot be ranked by sales density).
 */
export function panelStoreHistories(table: PanelColumns): StoreHistory[] {
  const day = days(table);
  const stores = text(table, 'store_id');
  const revenue = numeric(table, 'revenue');
  const units = numeric(table, 'units');
  const paid = numeric(table, 'paid_price');
  const size = numeric(table, 'size_sqm');
  const region = table.columns.includes('region') ? text(table, 'region') : undefined;
  const type = table.columns.includes('store_type') ? text(table, 'store_type') : undefined;
  const byStore = new Map<
    string,
    { region: string; type: string; size: number; perDay: Map<number, number> }
  >();
  for (let i = 0; i < table.rows; i++) {
    const id = String(stores[i]);
    let s = byStore.get(id);
    if (!s) {
      s = {
        region: region?.[i] ?? 'unknown',
        type: type?.[i] ?? 'unknown',
        size: Number.NaN,
        perDay: new Map(),
      };
      byStore.set(id, s);
    }
    if (size && Number.isFinite(size[i])) s.size = size[i];
    const r =
      revenue && Number.isFinite(revenue[i])
        ? revenue[i]
        : units && paid && Number.isFinite(units[i]) && Number.isFinite(paid[i])
          ? units[i] * paid[i]
          : Number.NaN;
    if (Number.isFinite(r) && r >= 0) s.perDay.set(day[i], (s.perDay.get(day[i]) ?? 0) + r);
  }
  return [...byStore]
    .filter(([, s]) => s.size > 0 && s.perDay.size > 0)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([storeId, s]) => {
      const sorted = [...s.perDay].sort((a, b) => a[0] - b[0]);
      return {
        storeId,
        region: s.region,
        type: s.type,
        sizeSqm: s.size,
        day: Int32Array.from(sorted, (d) => d[0]),
        revenue: Float64Array.from(sorted, (d) => d[1]),
      };
    });
}

/**
 * A fitted panel (e.g. a forecaster's training history) seen as panel columns: `store_id` and
 * `product_id` from the series ids `store/product`, `date`, `units` = y, every driver (text for
 * categorical ones), and `stockout` = 1 on rows weighted 0 (ingestion weights stockout periods 0).
 * It has no `stock_on_hand`: the stock must then come from the caller.
 */
export function panelColumnsOf(panel: Panel): PanelColumns {
  const n = panel.y.length;
  const storeId: string[] = new Array(n);
  const productId: string[] = new Array(n);
  for (let s = 0; s + 1 < panel.offsets.length; s++) {
    const id = panel.seriesIds[s];
    const slash = id.indexOf('/');
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
      storeId[r] = slash < 0 ? '' : id.slice(0, slash);
      productId[r] = id.slice(slash + 1);
    }
  }
  const columns = new Map<string, ColumnValues>([
    ['store_id', storeId],
    ['product_id', productId],
    ['date', Array.from(panel.dates, formatDay)],
    ['units', panel.y],
  ]);
  if (panel.weight) {
    const w = panel.weight;
    columns.set(
      'stockout',
      Float64Array.from(w, (x) => (x === 0 ? 1 : 0)),
    );
  }
  for (const [name, col] of Object.entries(panel.exog)) {
    if (columns.has(name)) continue;
    columns.set(
      name,
      isCategorical(col) ? Array.from(col.codes, (c) => (c < 0 ? null : col.levels[c])) : col,
    );
  }
  return {
    columns: [...columns.keys()],
    rows: n,
    get(column) {
      const v = columns.get(column);
      if (!v)
        throw new SalescastError('MISSING_COLUMN', `the panel has no column '${column}'.`, { field: column });
      return v;
    },
  };
}

/** The rows of `table` dated on or before `day` (a forecast from an earlier origin sees only these). */
export function panelColumnsThrough(table: PanelColumns, day: number): PanelColumns {
  const d = days(table);
  const keep: number[] = [];
  for (let i = 0; i < table.rows; i++) if (d[i] <= day) keep.push(i);
  const cache = new Map<string, ColumnValues>();
  return {
    columns: table.columns,
    rows: keep.length,
    get(column) {
      let v = cache.get(column);
      if (!v) {
        const all = table.get(column);
        v = all instanceof Float64Array ? Float64Array.from(keep, (i) => all[i]) : keep.map((i) => all[i]);
        cache.set(column, v);
      }
      return v;
    },
  };
}
