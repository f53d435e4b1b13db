/**
 * Reads forecasting data from files: a long CSV/Parquet/JSON (`series_id,date,y` + drivers) or an
 * ingested panel (`<dir>/panel.parquet`) into a Panel, checking a future frame against its training
 * panel, and model artifact files. The CLI commands, the model registry and the monitoring jobs read
 * datasets through it.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatDay, parseIsoDay, periodDays } from '../core/dates.js';
import { isSalescastError, SalescastError } from '../core/errors.js';
import type { ColumnValues, Table } from '../data/duckdb.js';
import { PANEL_KEY_AND_OUTCOME_COLUMNS } from '../data/schema.js';
import {
  buildPanel,
  isCategorical,
  type LongColumns,
  observedFrequency,
  type Panel,
  panelLevels,
  seriesCount,
  seriesFrequency,
} from '../features/panel.js';
import type { Forecaster } from '../forecast/forecaster.js';

/** Panel columns that are never drivers: the key, the outcomes, and a store's opening date. */
const PANEL_NON_DRIVERS = new Set<string>([...PANEL_KEY_AND_OUTCOME_COLUMNS, 'opening_date']);

export interface ReadDataOptions {
  /** A frame of future drivers: no target column. */
  readonly future?: boolean;
  /** Training panel whose categorical levels and frequency the future frame must share. */
  readonly like?: Panel;
  /**
   * The history a saved model was fitted on, for data that model is to forecast: the data must
   * have its frequency, its drivers and only its series (the model learned each series' scale and
   * has none for a new one). Implies `like`.
   */
  readonly trainedOn?: Panel;
  /**
   * For a future frame: the horizon it must cover, with a row for each series of `like` on each of
   * the `horizon` dates after that series' history.
   */
  readonly horizon?: number;
}

/**
 * Reads forecasting data: a long file (CSV, Parquet, JSON) with `series_id,date,y` plus drivers
 * (numeric or text; text becomes categorical), or an ingested panel (its directory or
 * `panel.parquet`), whose series are `store_id/product_id`, target `units` (missing stays NaN) and
 * drivers the panel's driver columns; stockout rows get weight 0 because they censor demand.
 */
export async function readForecastData(path: string, options: ReadDataOptions = {}): Promise<Panel> {
  if (!existsSync(path)) {
    throw new SalescastError('SOURCE_NOT_FOUND', `${path}: no such file or directory.`, {
      file: basename(path),
    });
  }
  const file = isDirectory(path) ? join(path, 'panel.parquet') : path;
  if (file !== path && !existsSync(file)) {
    throw new SalescastError(
      'SOURCE_NOT_FOUND',
      `${path} is a directory without panel.parquet: give a long file (CSV, Parquet, JSON) or an ingested panel's directory.`,
      { file: basename(path) },
    );
  }
  // Loaded here, not at the top: DuckDB's native binding is slow to load and most commands never
  // read a table.
  const { readTable } = await import('../data/duckdb.js');
  const table = await readTable(file);
  const name = basename(file);
  const isIngested = !table.columns.includes('series_id') && table.columns.includes('store_id');
  const long = isIngested ? ingestedColumns(table, name, options) : longColumns(table, name, options);
  if (options.future && options.like && options.horizon !== undefined)
    checkFutureCovers(long, options.like, options.horizon, name);
  const like = options.like ?? options.trainedOn;
  const panel = buildPanel(long, {
    source: name,
    freq: like?.freq,
    levels: like ? panelLevels(like) : undefined,
  });
  if (like) checkNumericDrivers(panel, like, name);
  if (options.trainedOn) checkModelFits(panel, options.trainedOn, name);
  // An ingested panel was put on its grid by ingestion, which knows the frequency; a long file's
  // frequency is only inferred.
  if (!options.future && !isIngested) checkOneFrequency(panel, name);
  return panel;
}

/** Observations from which a series whose dates all lie whole weeks apart is taken as weekly. */
const WEEKLY_EVIDENCE = 8;

/**
 * INVALID_DATA naming the first weekly series of a daily panel: read on the daily grid, it would
 * be six missing days out of seven, and forecast by day. A sparse daily series (a slow mover whose
 * file lists only days with sales) has its few dates a whole number of weeks apart by chance, so
 * a series counts as weekly only with WEEKLY_EVIDENCE observations or more.
 */
function checkOneFrequency(panel: Panel, file: string): void {
  if (panel.freq !== 'day') return;
  const n = seriesCount(panel);
  const observed = (s: number) => {
    let count = 0;
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) if (!Number.isNaN(panel.y[r])) count++;
    return count;
  };
  const freqs = Array.from({ length: n }, (_, s) => seriesFrequency(panel, s));
  let weekly = -1;
  for (let s = 0; s < n && weekly < 0; s++)
    if (freqs[s] === 'week' && observed(s) >= WEEKLY_EVIDENCE) weekly = s;
  if (weekly < 0 || !freqs.includes('day')) return;
  const dailyId = panel.seriesIds[freqs.indexOf('day')];
  throw new SalescastError(
    'INVALID_DATA',
    `${file}: series '${panel.seriesIds[weekly]}' is weekly (its dates lie whole weeks apart) but series '${dailyId}' is daily; one file holds one frequency.`,
    { file, field: 'date' },
  );
}

/** INVALID_DATA, naming the file, unless a model fitted on `trained` can forecast `data`. */
function checkModelFits(data: Panel, trained: Panel, file: string): void {
  const describe = (freq: string) => (freq === 'week' ? 'weekly' : 'daily');
  const freq = observedFrequency(data);
  if (freq && freq !== trained.freq) {
    throw new SalescastError(
      'INVALID_DATA',
      `${file}: the data is ${describe(freq)} but the model was trained on ${describe(trained.freq)} data.`,
      { file, field: 'date' },
    );
  }
  const missing = Object.keys(trained.exog).filter((c) => !(c in data.exog));
  if (missing.length > 0) {
    throw new SalescastError(
      'MISSING_COLUMN',
      `${file}: the model was trained with the column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}, which the data lacks.`,
      { file, field: missing[0] },
    );
  }
  const known = new Set(trained.seriesIds);
  const unknown = data.seriesIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 3)
      .map((id) => `'${id}'`)
      .join(', ');
    throw new SalescastError(
      'INVALID_DATA',
      `${file}: ${unknown.length === 1 ? `series ${shown} is` : `${unknown.length} series are`} not in the model's training data${unknown.length > 1 ? ` (e.g. ${shown})` : ''}; a model forecasts only the series it was trained on.`,
      { file, field: 'series_id' },
    );
  }
}

/**
 * INVALID_DATA, naming the file, the first series and date without a row and how many are missing,
 * unless the future frame has a row for every series of `history` on each of the `h` dates after
 * its last one. A forecast would otherwise take the series' recent typical values for those dates
 * without saying so.
 */
function checkFutureCovers(future: LongColumns, history: Panel, h: number, file: string): void {
  const datesOf = new Map<string, Set<number>>();
  for (let i = 0; i < future.seriesId.length; i++) {
    let dates = datesOf.get(future.seriesId[i]);
    if (!dates) datesOf.set(future.seriesId[i], (dates = new Set()));
    dates.add(future.date[i]);
  }
  const step = periodDays(history.freq);
  let first: { series: string; date: number } | undefined;
  let missing = 0;
  for (let s = 0; s < seriesCount(history); s++) {
    const dates = datesOf.get(history.seriesIds[s]);
    const last = history.dates[history.offsets[s + 1] - 1];
    for (let k = 1; k <= h; k++) {
      if (dates?.has(last + k * step)) continue;
      first ??= { series: history.seriesIds[s], date: last + k * step };
      missing++;
    }
  }
  if (first) {
    const total = seriesCount(history) * h;
    const more = missing > 1 ? ` (${missing} of the ${total} series × dates of the horizon lack one)` : '';
    throw new SalescastError(
      'INVALID_DATA',
      `${file}: no row for series '${first.series}' on ${formatDay(first.date)}${more}; the future drivers must cover the ${h} ${history.freq === 'week' ? 'weeks' : 'days'} after each series' history.`,
      { file, field: 'date' },
    );
  }
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

/** The forecaster a model file holds (`salescast train`); its errors name the file. */
export async function readModelFile(path: string): Promise<Forecaster> {
  const bytes = await readArtifact(path);
  const { Forecaster } = await import('../forecast/forecaster.js');
  try {
    return Forecaster.deserialize(bytes);
  } catch (e) {
    if (!isSalescastError(e)) throw e;
    const file = basename(path);
    throw new SalescastError(e.code, `${file}: ${e.message}`, { file });
  }
}

/** The bytes of a model artifact file; SOURCE_NOT_FOUND when it does not exist. */
async function readArtifact(path: string): Promise<Uint8Array> {
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

/** Whether `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function longColumns(table: Table, file: string, options: ReadDataOptions): LongColumns {
  const seriesId = textOf(table.get('series_id'));
  const empty = seriesId.indexOf('');
  if (empty >= 0) {
    throw new SalescastError('INVALID_DATA', `${file}:${empty + 2}: series_id is empty.`, {
      file,
      line: empty + 2,
      field: 'series_id',
    });
  }
  const date = daysOf(table.get('date'), file);
  const exog: Record<string, ColumnValues> = {};
  for (const c of table.columns)
    if (c !== 'series_id' && c !== 'date' && c !== 'y') exog[c] = driver(table.get(c), file, c);
  if (options.future) return { seriesId, date, exog };
  return { seriesId, date, y: numbersOf(table.get('y'), file, 'y'), exog };
}

function ingestedColumns(table: Table, file: string, options: ReadDataOptions): LongColumns {
  const stores = textOf(table.get('store_id'));
  const products = textOf(table.get('product_id'));
  const seriesId = stores.map((s, i) => `${s}/${products[i]}`);
  const date = daysOf(table.get('date'), file);
  const exog: Record<string, ColumnValues> = {};
  for (const c of table.columns) if (!PANEL_NON_DRIVERS.has(c)) exog[c] = driver(table.get(c), file, c);
  if (options.future) return { seriesId, date, exog };
  const y = numbersOf(table.get('units'), file, 'units');
  const weight = new Float64Array(y.length).fill(1);
  if (table.columns.includes('stockout')) {
    // Stockout periods censor demand: they leave the training target, and the stockout history
    // becomes a past-only driver (its recent rate).
    const stockout = driver(table.get('stockout'), file, 'stockout');
    if (stockout instanceof Float64Array) {
      for (let i = 0; i < y.length; i++) if (stockout[i] > 0) weight[i] = 0;
      exog.stockout = stockout;
    }
  }
  return { seriesId, date, y, exog, weight };
}

/**
 * A driver column as read, with boolean text (`true`/`false`) turned into 1/0. A numeric one must
 * be finite where it has a value: an infinite price would reach the models as a real one.
 */
function driver(values: ColumnValues, file: string, column: string): ColumnValues {
  if (values instanceof Float64Array) return checkFinite(values, file, column);
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

/** A decimal number as CSV writes one: no hexadecimal, no `Infinity`, no thousands separators. */
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function numbersOf(values: ColumnValues, file: string, column: string): Float64Array {
  if (values instanceof Float64Array) return checkFinite(values, file, column);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const n = v === null || v === '' ? Number.NaN : DECIMAL.test(v) ? Number(v) : Number.NaN;
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

/** `values` when none is ±Infinity (NaN is a missing value); else INVALID_DATA naming the line. */
function checkFinite(values: Float64Array, file: string, column: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (values[i] === Number.POSITIVE_INFINITY || values[i] === Number.NEGATIVE_INFINITY) {
      throw new SalescastError(
        'INVALID_DATA',
        `${file}:${i + 2}: ${column} is ${values[i]}, not a finite number.`,
        { file, line: i + 2, field: column },
      );
    }
  }
  return values;
}
