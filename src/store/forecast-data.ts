/**
 * Reads forecasting data from files: a long CSV/Parquet/JSON (`series_id,date,y` + drivers) or an
 * ingested panel (`<dir>/panel.parquet`) into a Panel, checking a future frame against its training
 * panel, and model artifact files. The CLI commands, the model registry and the monitoring jobs read
 * datasets through it.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseIsoDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import type { ColumnValues, Table } from '../data/duckdb.js';
import { PANEL_KEY_AND_OUTCOME_COLUMNS } from '../data/schema.js';
import { buildPanel, isCategorical, type LongColumns, type Panel, panelLevels } from '../features/panel.js';

/** Panel columns that are never drivers: the key, the outcomes, and a store's opening date. */
const PANEL_NON_DRIVERS = new Set<string>([...PANEL_KEY_AND_OUTCOME_COLUMNS, 'opening_date']);

export interface ReadDataOptions {
  /** A frame of future drivers: no target column. */
  readonly future?: boolean;
  /** Training panel whose categorical levels and frequency the future frame must share. */
  readonly like?: Panel;
}

/**
 * Reads forecasting data: a long file (CSV, Parquet, JSON) with `series_id,date,y` plus drivers
 * (numeric or text; text becomes categorical), or an ingested panel (its directory or
 * `panel.parquet`), whose series are `store_id/product_id`, target `units` (missing stays NaN) and
 * drivers the panel's driver columns; stockout rows get weight 0 because they censor demand.
 */
export async function readForecastData(path: string, options: ReadDataOptions = {}): Promise<Panel> {
  const file = isDirectory(path) ? join(path, 'panel.parquet') : path;
  // Loaded here, not at the top: DuckDB's native binding is slow to load and most commands never
  // read a table.
  const { readTable } = await import('../data/duckdb.js');
  const table = await readTable(file);
  const name = basename(file);
  const isIngested = !table.columns.includes('series_id') && table.columns.includes('store_id');
  const long = isIngested ? ingestedColumns(table, name, options) : longColumns(table, name, options);
  const panel = buildPanel(long, {
    source: name,
    freq: options.like?.freq,
    levels: options.like ? panelLevels(options.like) : undefined,
  });
  if (options.like) checkNumericDrivers(panel, options.like, name);
  return panel;
}

/**
 * A driver that is numeric in the training data must be numeric in the future frame: text there
 * would reach the model as missing on every future row.
 */
function checkNumericDrivers(future: Panel, like: Panel, file: string): void {
  for (const [column, col] of Object.entries(future.exog)) {
    const trained = like.exog[column];
    if (trained && !isCategorical(trained) && isCategorical(col)) {
      const example = col.levels.find((l) => !Number.isFinite(Number(l))) ?? col.levels[0];
      throw new SalescastError(
        'INVALID_DATA',
        `${file}: column '${column}' holds text (e.g. '${example}') but is numeric in the training data.`,
        { file, field: column },
      );
    }
  }
}

/** The bytes of a model artifact file; SOURCE_NOT_FOUND when it does not exist. */
export async function readArtifact(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new SalescastError('SOURCE_NOT_FOUND', `${basename(path)}: no such model file.`, {
        file: basename(path),
      });
    }
    throw new SalescastError('IO_FAILURE', `${basename(path)}: ${(e as Error).message}`, {
      file: basename(path),
    });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function longColumns(table: Table, file: string, options: ReadDataOptions): LongColumns {
  const seriesId = textOf(table.get('series_id'));
  const date = daysOf(table.get('date'), file);
  const exog: Record<string, ColumnValues> = {};
  for (const c of table.columns)
    if (c !== 'series_id' && c !== 'date' && c !== 'y') exog[c] = driver(table.get(c));
  if (options.future) return { seriesId, date, exog };
  return { seriesId, date, y: numbersOf(table.get('y'), file, 'y'), exog };
}

function ingestedColumns(table: Table, file: string, options: ReadDataOptions): LongColumns {
  const stores = textOf(table.get('store_id'));
  const products = textOf(table.get('product_id'));
  const seriesId = stores.map((s, i) => `${s}/${products[i]}`);
  const date = daysOf(table.get('date'), file);
  const exog: Record<string, ColumnValues> = {};
  for (const c of table.columns) if (!PANEL_NON_DRIVERS.has(c)) exog[c] = driver(table.get(c));
  if (options.future) return { seriesId, date, exog };
  const y = numbersOf(table.get('units'), file, 'units');
  const weight = new Float64Array(y.length).fill(1);
  if (table.columns.includes('stockout')) {
    // Stockout periods censor demand: they leave the training target, and the stockout history
    // becomes a past-only driver (its recent rate).
    const stockout = driver(table.get('stockout'));
    if (stockout instanceof Float64Array) {
      for (let i = 0; i < y.length; i++) if (stockout[i] > 0) weight[i] = 0;
      exog.stockout = stockout;
    }
  }
  return { seriesId, date, y, exog, weight };
}

/** A driver column as read, with boolean text (`true`/`false`) turned into 1/0. */
function driver(values: ColumnValues): ColumnValues {
  if (values instanceof Float64Array) return values;
  if (!values.every((v) => v === null || v === 'true' || v === 'false')) return values;
  return Float64Array.from(values, (v) => (v === null ? Number.NaN : v === 'true' ? 1 : 0));
}

function textOf(values: ColumnValues): string[] {
  return Array.from(values as ArrayLike<number | string | null>, (v) => (v === null ? '' : String(v)));
}

function daysOf(values: ColumnValues, file: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const day = typeof v === 'string' ? parseIsoDay(v) : undefined;
    if (day === undefined) {
      throw new SalescastError(
        'INVALID_DATA',
        `${file}:${i + 2}: date '${v}' is not an ISO date (YYYY-MM-DD).`,
        {
          file,
          line: i + 2,
          field: 'date',
        },
      );
    }
    out[i] = day;
  }
  return out;
}

function numbersOf(values: ColumnValues, file: string, column: string): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const n = v === null || v === '' ? Number.NaN : Number(v);
    if (v !== null && v !== '' && !Number.isFinite(n)) {
      throw new SalescastError('INVALID_DATA', `${file}:${i + 2}: ${column} '${v}' is not a number.`, {
        file,
        line: i + 2,
        field: column,
      });
    }
    out[i] = n;
  }
  return out;
}
