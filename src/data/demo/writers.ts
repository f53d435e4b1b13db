/**
 * Writes a demo retailer to a folder: one file per source named after it (CSV, Parquet or NDJSON)
 * plus truth.json. Every byte is a function of the generated tables: fixed number formatting, rows
 * in table order, no timestamps. Files are built in a temporary sibling folder and renamed into
 * place one by one, truth.json last, so an interrupted run never leaves a half-written file.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SalescastError } from '../../core/errors.js';
import { temporarySibling } from '../atomic-write.js';
import { type ColumnType, SOURCE_NAMES, SOURCES, type SourceName } from '../schema.js';
import type { DemoRetailer } from './generate.js';
import type { Cell, DemoTable } from './table.js';

export const DEMO_FORMATS = ['csv', 'parquet', 'json'] as const;
export type DemoFormat = (typeof DEMO_FORMATS)[number];

/** File extension per format; `json` writes newline-delimited JSON, one object per row. */
export const FORMAT_EXTENSION: Readonly<Record<DemoFormat, string>> = {
  csv: 'csv',
  parquet: 'parquet',
  json: 'ndjson',
};

export const TRUTH_FILE = 'truth.json';

/** Money columns are always written with two decimals, e.g. `2.50`. */
const FIXED_DECIMALS: Readonly<Record<string, number>> = {
  price: 2,
  base_price: 2,
  unit_cost: 2,
  revenue: 2,
};

export interface WrittenFile {
  readonly file: string;
  readonly source: SourceName | 'truth';
  /** Data rows; for truth.json the number of series in `demand`. */
  readonly rows: number;
  readonly bytes: number;
}

function csvField(value: Cell, column: string): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    const decimals = FIXED_DECIMALS[column];
    return decimals === undefined ? String(value) : value.toFixed(decimals);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The table as CSV text: a header line, then one line per row, `\n` line ends. */
export function tableToCsv(table: DemoTable): string {
  const lines = [table.columns.join(',')];
  for (const row of table.rows) lines.push(row.map((v, i) => csvField(v, table.columns[i])).join(','));
  return `${lines.join('\n')}\n`;
}

/** The table as NDJSON: one object per row with keys in column order; empty fields are null. */
export function tableToNdjson(table: DemoTable): string {
  const lines = table.rows.map((row) =>
    JSON.stringify(Object.fromEntries(table.columns.map((c, i) => [c, row[i]]))),
  );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** truth.json text: indented, except that each series' long per-period arrays sit on one line. */
export function truthToJson(retailer: DemoRetailer): string {
  const placeholder = '"__DEMAND__"';
  const head = JSON.stringify({ ...retailer.truth, demand: '__DEMAND__' }, null, 2);
  const series = retailer.truth.demand.map((d) => `    ${JSON.stringify(d)}`).join(',\n');
  return `${head.replace(placeholder, () => (series === '' ? '[]' : `[\n${series}\n  ]`))}\n`;
}

const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  date: 'DATE',
  boolean: 'BOOLEAN',
};

/** Converts each staged CSV to Parquet with the schema's column types, one DuckDB thread for stable bytes. */
async function csvToParquet(csvDir: string, outDir: string): Promise<void> {
  // Loaded on demand: the native module costs start-up time that CSV and JSON runs do not need.
  const { sqlString, withDuckDb } = await import('../duckdb.js');
  await withDuckDb(async (connection) => {
    await connection.run('SET threads = 1');
    for (const source of SOURCE_NAMES) {
      const columns = SOURCES[source].columns
        .map((c) => `${sqlString(c.name)}: ${sqlString(DUCKDB_TYPES[c.type])}`)
        .join(', ');
      const csv = sqlString(join(csvDir, `${source}.csv`));
      const parquet = sqlString(join(outDir, `${source}.parquet`));
      await connection.run(
        `COPY (SELECT * FROM read_csv(${csv}, header = true, delim = ',', quote = '"', columns = {${columns}})) TO ${parquet} (FORMAT parquet)`,
      );
    }
  });
}

/**
 * Writes `retailer` into `outDir` (created if needed) in `format`. Files of the same sources in the
 * other formats are removed, so a folder never holds two versions of a source. Other files in
 * `outDir` are left alone. Throws `SalescastError('IO_FAILURE')` when the folder cannot be written.
 */
export async function writeDemoRetailer(
  retailer: DemoRetailer,
  outDir: string,
  format: DemoFormat,
): Promise<WrittenFile[]> {
  const target = resolve(outDir);
  const stage = temporarySibling(target);
  const written: WrittenFile[] = [];
  try {
    await mkdir(stage, { recursive: true });
    const extension = FORMAT_EXTENSION[format];
    if (format === 'parquet') {
      const csvDir = join(stage, '.csv');
      await mkdir(csvDir);
      for (const source of SOURCE_NAMES) {
        await writeFile(join(csvDir, `${source}.csv`), tableToCsv(retailer.tables[source]));
      }
      await csvToParquet(csvDir, stage);
      await rm(csvDir, { recursive: true, force: true });
    } else {
      for (const source of SOURCE_NAMES) {
        const table = retailer.tables[source];
        await writeFile(
          join(stage, `${source}.${extension}`),
          format === 'csv' ? tableToCsv(table) : tableToNdjson(table),
        );
      }
    }
    await writeFile(join(stage, TRUTH_FILE), truthToJson(retailer));

    await mkdir(target, { recursive: true });
    for (const source of SOURCE_NAMES) {
      for (const other of Object.values(FORMAT_EXTENSION)) {
        if (other !== extension) await rm(join(target, `${source}.${other}`), { force: true });
      }
      const file = `${source}.${extension}`;
      await rename(join(stage, file), join(target, file));
      written.push({
        file,
        source,
        rows: retailer.tables[source].rows.length,
        bytes: (await stat(join(target, file))).size,
      });
    }
    // truth.json last: its presence means the whole set is in place.
    await rename(join(stage, TRUTH_FILE), join(target, TRUTH_FILE));
    written.push({
      file: TRUTH_FILE,
      source: 'truth',
      rows: retailer.truth.demand.length,
      bytes: (await stat(join(target, TRUTH_FILE))).size,
    });
    return written;
  } catch (e) {
    if (e instanceof SalescastError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new SalescastError('IO_FAILURE', `Cannot write the demo data to ${target}: ${reason}`, {
      file: target,
    });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
