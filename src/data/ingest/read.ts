/**
 * Reads one source file into DuckDB as text: a view `src_<source>` with our column names (after
 * the config's mapping), every cell as VARCHAR exactly as written, and `__line`, the line of the
 * row in the file (CSV: header = line 1) or, for JSON arrays and Parquet, which have no lines, its
 * 1-based record number + 1: the line the row would have in a CSV export with a header.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SalescastError } from '../../core/errors.js';
import {
  assertReadableFile,
  type DuckDBConnection,
  missingColumn,
  scanSql,
  sqlIdentifier,
  sqlString,
  unreadable,
} from '../duckdb.js';
import { SOURCES, type SourceName } from '../schema.js';
import { indexLines, type LineIndex } from './line-index.js';
import type { SourceFile } from './sources.js';

/** How `__line` counts: physical lines of the file, or records (JSON arrays, Parquet). */
export type LineBasis = 'line' | 'record';

export interface LoadedSource {
  readonly file: SourceFile;
  /** DuckDB view holding `__line` and every schema column as VARCHAR (NULL where absent). */
  readonly table: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Data rows in the file, including rows DuckDB could not split into the right fields. */
  readonly rowsRead: number;
  /** Lines of rows with too few or too many fields (CSV), rejected before validation. */
  readonly wrongFieldCount: readonly number[];
  /** Lines of rows DuckDB could not parse for another reason (bad quoting, invalid text). */
  readonly malformed: readonly number[];
  /** Our columns found in the file. Optional columns that are absent are NULL in `table`. */
  readonly columnsFound: readonly string[];
  /** Columns of the file that no schema column maps to. */
  readonly ignoredColumns: readonly string[];
  readonly lineBasis: LineBasis;
  /**
   * False when our line scan and DuckDB disagree on the number of records (an unusual CSV
   * dialect); `__line` is then the data row number + 1, which can differ from the physical line.
   */
  readonly exactLines: boolean;
}

const FIELD_COUNT_ERRORS = new Set(['MISSING COLUMNS', 'TOO MANY COLUMNS']);

/**
 * Loads `f` into table `raw_<source>` and view `src_<source>`. Throws SOURCE_NOT_FOUND, SOURCE_EMPTY, SOURCE_UNREADABLE
 * or MISSING_COLUMN naming the file (and column).
 */
export async function loadSource(conn: DuckDBConnection, f: SourceFile): Promise<LoadedSource> {
  await assertReadableFile(f.path, f.format);
  const raw = `raw_${f.source}`;
  const rejects = `rejects_${f.source}`;
  const csvOptions = `store_rejects=true, rejects_table=${sqlString(rejects)}, rejects_scan=${sqlString(`${rejects}_scan`)}, skip=0`;
  // DuckDB parses on its own threads while this one reads, hashes and checks the bytes.
  const parsed = conn
    .run(
      `CREATE OR REPLACE TABLE ${raw} AS SELECT * FROM ${scanSql(f.path, f.format, { allVarchar: true, csvOptions })}`,
    )
    .then(
      () => undefined,
      (e: unknown) => unreadable(f.path, f.format, e),
    );
  const buf = await readFile(f.path).catch(async (e: unknown) => {
    await parsed;
    throw e;
  });
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const text = f.format === 'csv' || f.format === 'json' || f.format === 'ndjson';
  const utf8 = !text || isUtf8(buf);
  const failure = await parsed;
  if (!utf8) throw new SalescastError('SOURCE_UNREADABLE', `${f.file}: not UTF-8 text`, { file: f.file });
  if (failure) throw (f.format === 'ndjson' && malformedRecord(buf, f.file)) || failure;
  const head = await conn.runAndReadAll(`SELECT * FROM ${raw} LIMIT 0`);
  const fileColumns = head.columnNames();
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${raw}`)).getRows()[0][0]);
  const rejected =
    f.format === 'csv'
      ? ((
          await conn.runAndReadAll(`SELECT DISTINCT line, error_type FROM ${rejects} ORDER BY line`)
        ).getRows() as [bigint, string][])
      : [];
  const index = f.format === 'csv' || f.format === 'ndjson' ? indexLines(buf, f.format === 'csv') : undefined;
  const physical = physicalLineOf(index);
  const linesOf = (wanted: (type: string) => boolean) => [
    ...new Set(rejected.filter(([, t]) => wanted(t)).map(([l]) => physical(Number(l)))),
  ];
  const wrongFieldCount = linesOf((t) => FIELD_COUNT_ERRORS.has(t));
  const malformed = linesOf((t) => !FIELD_COUNT_ERRORS.has(t));
  const rejectedLines = [...new Set([...wrongFieldCount, ...malformed])].sort((a, b) => a - b);
  if (fileColumns.length === 0 || rows + rejectedLines.length === 0) {
    throw new SalescastError('SOURCE_EMPTY', `${f.file}: no data rows`, { file: f.file });
  }

  const columns = mapColumns(f, fileColumns);
  const lines = await lineExpression(conn, f, index, raw, rows, rejectedLines);
  const select = SOURCES[f.source].columns.map((c) => {
    const theirs = columns.get(c.name);
    return theirs === undefined
      ? `NULL::VARCHAR AS ${sqlIdentifier(c.name)}`
      : `CAST(${raw}.${sqlIdentifier(theirs)} AS VARCHAR) AS ${sqlIdentifier(c.name)}`;
  });
  const table = `src_${f.source}`;
  // A view, not a copy: validation reads it once more, and copying a million rows costs seconds.
  await conn.run(
    `CREATE OR REPLACE VIEW ${table} AS SELECT ${lines.expr} AS __line, ${select.join(', ')} FROM ${raw}${lines.join}`,
  );
  const mapped = new Set(columns.values());
  return {
    file: f,
    table,
    sha256,
    bytes: buf.length,
    rowsRead: rows + rejectedLines.length,
    wrongFieldCount,
    malformed,
    columnsFound: [...columns.keys()],
    ignoredColumns: fileColumns.filter((c) => !mapped.has(c)),
    lineBasis: f.format === 'csv' || f.format === 'ndjson' ? 'line' : 'record',
    exactLines: lines.exact,
  };
}

/**
 * The error naming the first physical line of an NDJSON file that is not a JSON object, or
 * undefined when every non-blank line is one. DuckDB's own message counts lines its own way and
 * speaks of its internals.
 */
function malformedRecord(buf: Buffer, file: string): SalescastError | undefined {
  const lines = buf.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (e) {
      return new SalescastError(
        'SOURCE_UNREADABLE',
        `${file}:${i + 1}: not valid JSON (${(e as Error).message}).`,
        {
          file,
          line: i + 1,
        },
      );
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return new SalescastError('SOURCE_UNREADABLE', `${file}:${i + 1}: a record must be a JSON object.`, {
        file,
        line: i + 1,
      });
    }
  }
  return undefined;
}

/** Drops what `loadSource` created for `source`, once validation has read it. */
export async function dropSource(conn: DuckDBConnection, source: SourceName): Promise<void> {
  await conn.run(`DROP VIEW IF EXISTS src_${source}`);
  await conn.run(`DROP TABLE IF EXISTS raw_${source}`);
  await conn.run(`DROP TABLE IF EXISTS lines_${source}`);
}

/** Maps DuckDB's reject line numbers (which skip newlines inside quotes) to physical lines. */
function physicalLineOf(index: LineIndex | undefined): (duckLine: number) => number {
  const { startLines, logicalLines } = index ?? {};
  if (!startLines || !logicalLines) return (l) => l;
  const byLogical = new Map<number, number>();
  for (let i = 0; i < logicalLines.length; i++) byLogical.set(logicalLines[i], startLines[i]);
  return (l) => byLogical.get(l) ?? l;
}

/**
 * Our column → the file's column. A mapped name must exist; an unmapped one is matched exactly,
 * then case-insensitively. A required column that is not found throws MISSING_COLUMN.
 */
function mapColumns(f: SourceFile, fileColumns: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of SOURCES[f.source].columns) {
    const mapped = f.columns[c.name];
    const wanted = mapped ?? c.name;
    const found =
      fileColumns.find((n) => n === wanted) ??
      fileColumns.find((n) => n.trim().toLowerCase() === wanted.toLowerCase());
    if (found !== undefined) out.set(c.name, found);
    else if (c.required || mapped !== undefined) {
      const e = missingColumn(f.file, wanted);
      if (mapped === undefined) throw e;
      throw new SalescastError(
        'MISSING_COLUMN',
        `${f.file}: column '${mapped}' (mapped to '${c.name}' in the config) is missing`,
        e.location,
      );
    }
  }
  return out;
}

interface LineMapping {
  readonly expr: string;
  readonly join: string;
  readonly exact: boolean;
}

/**
 * How to compute `__line` for each row of `raw` (whose rowid is the record's position among the
 * rows DuckDB accepted, in file order). The common case is arithmetic; otherwise a lookup table
 * `lines_<source>(i, line)` is built from our own scan of the file.
 */
async function lineExpression(
  conn: DuckDBConnection,
  f: SourceFile,
  index: LineIndex | undefined,
  raw: string,
  rows: number,
  rejectedLines: readonly number[],
): Promise<LineMapping> {
  if (!index) return { expr: `${raw}.rowid + 2`, join: '', exact: true };
  const header = f.format === 'csv' ? 1 : 0;
  const fallback = { expr: `${raw}.rowid + ${header + 1}`, join: '', exact: false };
  if (index.records - header !== rows + rejectedLines.length) return fallback;
  if (!index.startLines && rejectedLines.length === 0) {
    return { expr: `${raw}.rowid + ${header + 1}`, join: '', exact: true };
  }
  const skip = new Set(rejectedLines);
  const accepted = new Int32Array(rows);
  let k = 0;
  for (let r = header; r < index.records; r++) {
    const line = index.startLines ? index.startLines[r] : r + 1;
    if (!skip.has(line)) {
      if (k === rows) return fallback;
      accepted[k++] = line;
    }
  }
  if (k !== rows) return fallback;
  const lookup = `lines_${f.source}`;
  await conn.run(`CREATE OR REPLACE TABLE ${lookup} (i BIGINT, line BIGINT)`);
  const appender = await conn.createAppender(lookup);
  for (let i = 0; i < rows; i++) {
    appender.appendBigInt(BigInt(i));
    appender.appendBigInt(BigInt(accepted[i]));
    appender.endRow();
  }
  appender.closeSync();
  return { expr: `${lookup}.line`, join: ` JOIN ${lookup} ON ${lookup}.i = ${raw}.rowid`, exact: true };
}
