/**
 * A small layer over `@duckdb/node-api`: an in-memory database that always closes, SQL quoting,
 * file format detection and `readTable`, which reads one CSV, Parquet, JSON or NDJSON file into
 * columns. Every failure to use a file becomes a SalescastError (exit code 2) naming the file.
 */
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { SalescastError } from '../core/errors.js';

export type { DuckDBConnection } from '@duckdb/node-api';

/** File formats DuckDB reads for us. `json` is a top-level array or NDJSON; `ndjson` is one record a line. */
export type TableFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

export const TABLE_FORMATS: readonly TableFormat[] = ['csv', 'parquet', 'json', 'ndjson'];

const FORMAT_BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format implied by a file's extension (case-insensitive), or undefined for an unknown one. */
export function detectFormat(path: string): TableFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/** A SQL string literal: `it's` → `'it''s'`. Use it for paths and other values spliced into SQL. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL identifier: `my col` → `"my col"`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs `fn` with a connection to a fresh in-memory DuckDB and closes both afterwards, also when
 * `fn` throws.
 */
export async function withDuckDb<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

export interface ScanOptions {
  /** Read every column as text (VARCHAR), so that validation sees exactly what the file says. */
  allVarchar?: boolean;
  /** Extra `read_csv` options as SQL, e.g. `store_rejects=true, ignore_errors=true`. */
  csvOptions?: string;
}

/**
 * The SQL table expression that scans `path` in `format`, e.g.
 * `read_csv('/x/sales.csv', header=true, all_varchar=true)`. JSON and Parquet have no all-varchar
 * switch: callers cast their columns (see `readTable`).
 */
export function scanSql(path: string, format: TableFormat, opts: ScanOptions = {}): string {
  const p = sqlString(path);
  switch (format) {
    case 'csv': {
      const extra = [opts.allVarchar ? 'all_varchar=true' : '', opts.csvOptions ?? ''].filter(Boolean);
      return `read_csv(${[p, 'header=true', ...extra].join(', ')})`;
    }
    case 'parquet':
      return `read_parquet(${p})`;
    case 'json':
      return `read_json(${p}, format='auto', records=true)`;
    case 'ndjson':
      return `read_json(${p}, format='newline_delimited', records=true)`;
  }
}

/**
 * Checks that `path` exists, is a non-empty file and, for text formats, does not look binary.
 * Throws SOURCE_NOT_FOUND, SOURCE_EMPTY or SOURCE_UNREADABLE naming the file.
 */
export async function assertReadableFile(path: string, format: TableFormat): Promise<void> {
  const name = basename(path);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new SalescastError('SOURCE_NOT_FOUND', `${name}: file not found`, { file: name });
  if (info.size === 0) throw new SalescastError('SOURCE_EMPTY', `${name}: the file is empty`, { file: name });
  if (format === 'parquet') return;
  // A NUL byte never occurs in CSV or JSON text; DuckDB would otherwise read garbage as one column.
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(info.size, 65_536));
    await fh.read(head, 0, head.length, 0);
    if (head.includes(0)) {
      throw new SalescastError(
        'SOURCE_UNREADABLE',
        `${name}: binary content, not ${format.toUpperCase()} text`,
        {
          file: name,
        },
      );
    }
  } finally {
    await fh.close();
  }
}

/** Wraps a DuckDB failure while reading `path` into SOURCE_UNREADABLE with DuckDB's first line. */
export function unreadable(path: string, format: TableFormat, e: unknown): SalescastError {
  const name = basename(path);
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
  return new SalescastError(
    'SOURCE_UNREADABLE',
    `${name}: cannot be read as ${format.toUpperCase()} (${first})`,
    {
      file: name,
    },
  );
}

/** Column values of a table: numeric columns as Float64Array (NaN for null), others as text. */
export type ColumnValues = Float64Array | (string | null)[];

export interface Table {
  readonly columns: readonly string[];
  readonly rows: number;
  /** The values of `column`; throws MISSING_COLUMN naming the file and column if there is none. */
  get(column: string): ColumnValues;
}

export interface ReadTableOptions {
  /** Read every column as text. Default false: numeric columns come back as Float64Array. */
  allVarchar?: boolean;
  /** Format; default from the extension. */
  format?: TableFormat;
  /** Columns that must exist; a missing one throws MISSING_COLUMN naming the file and column. */
  required?: readonly string[];
}

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);

/**
 * Reads a whole file into memory. Numeric columns become Float64Array (null → NaN); every other
 * column becomes text: dates as `YYYY-MM-DD`, booleans as `true`/`false`, nested values as JSON.
 * With `allVarchar` every column is text exactly as written (CSV) or as DuckDB prints it.
 *
 * Throws SOURCE_NOT_FOUND, SOURCE_EMPTY (0 bytes, no columns or no rows), SOURCE_UNREADABLE
 * (unknown extension, binary or unparseable content) or MISSING_COLUMN, each naming the file.
 */
export async function readTable(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  const name = basename(path);
  const format = opts.format ?? detectFormat(path);
  if (!format) {
    throw new SalescastError(
      'SOURCE_UNREADABLE',
      `${name}: unknown file type '${extname(path)}'; expected one of .csv, .parquet, .json, .ndjson, .jsonl`,
      { file: name },
    );
  }
  await assertReadableFile(path, format);
  return withDuckDb(async (conn) => {
    const scan = scanSql(path, format, { allVarchar: opts.allVarchar });
    let described: { name: string; numeric: boolean; varchar: boolean }[];
    try {
      const d = await conn.runAndReadAll(`SELECT * FROM ${scan} LIMIT 0`);
      described = d.columnNames().map((n, i) => {
        const t = d.columnTypeId(i);
        return { name: n, numeric: NUMERIC_TYPES.has(t), varchar: t === DuckDBTypeId.VARCHAR };
      });
    } catch (e) {
      throw unreadable(path, format, e);
    }
    if (described.length === 0)
      throw new SalescastError('SOURCE_EMPTY', `${name}: no columns`, { file: name });
    for (const col of opts.required ?? []) {
      if (!described.some((d) => d.name === col)) throw missingColumn(name, col);
    }
    const select = described
      .map(({ name: n, numeric, varchar }) => {
        const id = sqlIdentifier(n);
        if (varchar) return id;
        if (numeric && !opts.allVarchar) return `CAST(${id} AS DOUBLE) AS ${id}`;
        return `CAST(${id} AS VARCHAR) AS ${id}`;
      })
      .join(', ');
    let columnsData: unknown[][];
    try {
      const reader = await conn.runAndReadAll(`SELECT ${select} FROM ${scan}`);
      columnsData = reader.getColumns() as unknown[][];
    } catch (e) {
      throw unreadable(path, format, e);
    }
    const rows = columnsData[0]?.length ?? 0;
    if (rows === 0) throw new SalescastError('SOURCE_EMPTY', `${name}: no data rows`, { file: name });
    const byName = new Map<string, ColumnValues>();
    described.forEach((d, i) => {
      const raw = columnsData[i];
      if (d.numeric && !opts.allVarchar) {
        const out = new Float64Array(rows);
        for (let r = 0; r < rows; r++) out[r] = raw[r] === null ? Number.NaN : Number(raw[r]);
        byName.set(d.name, out);
      } else byName.set(d.name, raw as (string | null)[]);
    });
    return {
      columns: described.map((d) => d.name),
      rows,
      get(column: string): ColumnValues {
        const values = byName.get(column);
        if (!values) throw missingColumn(name, column);
        return values;
      },
    };
  });
}

/** MISSING_COLUMN naming the file and the column. */
export function missingColumn(file: string, column: string): SalescastError {
  return new SalescastError('MISSING_COLUMN', `${file}: required column '${column}' is missing`, {
    file,
    field: column,
  });
}
