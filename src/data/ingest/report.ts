/**
 * The ingestion report (`report.json`) and its manifest. The report says, per source, how many
 * rows were read, accepted and rejected, and why, with the line numbers of the rejected rows. The
 * manifest is the lineage record: input hashes, schema and code version, counts and date range.
 * Its hash leaves out anything that changes between identical runs (no timestamps, no absolute
 * paths), so ingesting the same sources twice gives the same `manifest_hash`.
 */
import { createHash } from 'node:crypto';
import { CODE_VERSION } from '../../core/config.js';
import type { Frequency } from '../../core/dates.js';
import { type DuckDBConnection, sqlString, type TableFormat } from '../duckdb.js';
import { SCHEMA_VERSION, SOURCES, type SourceName } from '../schema.js';
import type { PanelStats } from './panel.js';
import type { LineBasis, LoadedSource } from './read.js';
import { REJECTIONS_TABLE, type RejectionReason } from './rules.js';

/** At most this many line numbers are listed per rejection group; `lines_truncated` says when. */
export const MAX_LINES_LISTED = 1000;

export interface LineList {
  readonly count: number;
  /** Line numbers, ascending (the first MAX_LINES_LISTED when truncated). */
  readonly lines: number[];
  readonly lines_truncated: boolean;
}

export interface RejectionGroup extends LineList {
  readonly reason: RejectionReason;
  /** The column that failed (key columns joined by commas for duplicate_key), or null for whole-row reasons. */
  readonly column: string | null;
}

export interface SourceReport {
  readonly source: SourceName;
  /** `absent`: an optional source with no file; its panel columns are NULL. */
  readonly status: 'read' | 'absent';
  readonly file: string | null;
  readonly format: TableFormat | null;
  readonly sha256: string | null;
  readonly bytes: number;
  /**
   * `line`: line numbers in the file, header = line 1. `record` (JSON array, Parquet): record
   * number + 1, the line the row would have in a CSV export with a header.
   */
  readonly line_basis: LineBasis | null;
  /** False if line numbers could not be matched to physical lines (see docs/DATA.md). */
  readonly exact_lines: boolean;
  readonly rows_read: number;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  /** Exact duplicates of an earlier row, dropped silently (not counted as rejected). */
  readonly duplicates_removed: LineList;
  readonly rejections: RejectionGroup[];
  /** Our column → your column, for every schema column found in the file. */
  readonly columns: Record<string, string>;
  /** Optional schema columns the file lacks (NULL in the panel). */
  readonly missing_optional_columns: string[];
  /** Columns of the file that map to nothing and were ignored. */
  readonly ignored_columns: string[];
}

export interface ManifestSource {
  readonly source: SourceName;
  readonly file: string;
  readonly format: TableFormat;
  readonly sha256: string;
  readonly bytes: number;
  readonly rows_read: number;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly duplicates_removed: number;
}

export interface Manifest {
  readonly schema_version: number;
  readonly code_version: string;
  readonly frequency: Frequency;
  readonly sources: ManifestSource[];
  readonly absent_sources: SourceName[];
  readonly panel: {
    readonly file: 'panel.parquet';
    readonly rows: number;
    readonly series: number;
    readonly periods: number;
    readonly first_date: string;
    readonly last_date: string;
  };
  /** SHA-256 of this manifest's canonical JSON without this field. */
  readonly manifest_hash: string;
}

export interface IngestReport {
  readonly created_at: string;
  readonly frequency: Frequency;
  readonly frequency_source: 'config' | 'inferred';
  readonly strict: boolean;
  readonly rows_read: number;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly sources: Record<SourceName, SourceReport>;
  readonly panel: PanelStats & { readonly file: 'panel.parquet'; readonly columns: readonly string[] };
  readonly manifest: Manifest;
}

function lineList(lines: readonly number[]): LineList {
  return {
    count: lines.length,
    lines: lines.slice(0, MAX_LINES_LISTED),
    lines_truncated: lines.length > MAX_LINES_LISTED,
  };
}

/** The report of an optional source without a file. */
export function absentSourceReport(source: SourceName): SourceReport {
  return {
    source,
    status: 'absent',
    file: null,
    format: null,
    sha256: null,
    bytes: 0,
    line_basis: null,
    exact_lines: true,
    rows_read: 0,
    rows_accepted: 0,
    rows_rejected: 0,
    duplicates_removed: lineList([]),
    rejections: [],
    columns: {},
    missing_optional_columns: [],
    ignored_columns: [],
  };
}

/** The report of a loaded and validated source, from tables `chk_<source>`, `ok_<source>` and rejections. */
export async function sourceReport(conn: DuckDBConnection, loaded: LoadedSource): Promise<SourceReport> {
  const source = loaded.file.source;
  const groups = await conn.runAndReadAll(`
    SELECT reason, "column", count(*), list_slice(list(line ORDER BY line), 1, ${MAX_LINES_LISTED})
    FROM ${REJECTIONS_TABLE} WHERE source = ${sqlString(source)}
    GROUP BY reason, "column" ORDER BY min(line)`);
  const rejections: RejectionGroup[] = [];
  for (const [lines, reason] of [
    [loaded.wrongFieldCount, 'wrong_field_count'],
    [loaded.malformed, 'malformed_row'],
  ] as const) {
    if (lines.length > 0) rejections.push({ reason, column: null, ...lineList(lines) });
  }
  for (const [reason, column, count, lines] of groups.getRowsJS() as [string, string, bigint, bigint[]][]) {
    rejections.push({
      reason: reason as RejectionReason,
      column,
      count: Number(count),
      lines: lines.map(Number),
      lines_truncated: Number(count) > lines.length,
    });
  }
  const dups = await conn.runAndReadAll(`SELECT __line FROM chk_${source} WHERE __dup > 1 ORDER BY __line`);
  const accepted = await conn.runAndReadAll(`SELECT count(*) FROM ok_${source}`);
  const rowsAccepted = Number(accepted.getRows()[0][0]);
  const duplicates = dups.getRows().map((r) => Number(r[0]));
  const columns: Record<string, string> = {};
  for (const c of loaded.columnsFound) columns[c] = loaded.file.columns[c] ?? c;
  return {
    source,
    status: 'read',
    file: loaded.file.file,
    format: loaded.file.format,
    sha256: loaded.sha256,
    bytes: loaded.bytes,
    line_basis: loaded.lineBasis,
    exact_lines: loaded.exactLines,
    rows_read: loaded.rowsRead,
    rows_accepted: rowsAccepted,
    rows_rejected: rejections.reduce((n, g) => n + g.count, 0),
    duplicates_removed: lineList(duplicates),
    rejections,
    columns,
    missing_optional_columns: SOURCES[source].columns
      .filter((c) => !loaded.columnsFound.includes(c.name))
      .map((c) => c.name),
    ignored_columns: [...loaded.ignoredColumns],
  };
}

/** The manifest of a run, with its hash over everything but the hash itself. */
export function buildManifest(
  sources: Record<SourceName, SourceReport>,
  stats: PanelStats,
  frequency: Frequency,
): Manifest {
  const read = Object.values(sources).filter((s) => s.status === 'read');
  const body: Omit<Manifest, 'manifest_hash'> = {
    schema_version: SCHEMA_VERSION,
    code_version: CODE_VERSION,
    frequency,
    sources: read.map((s) => ({
      source: s.source,
      file: s.file as string,
      format: s.format as TableFormat,
      sha256: s.sha256 as string,
      bytes: s.bytes,
      rows_read: s.rows_read,
      rows_accepted: s.rows_accepted,
      rows_rejected: s.rows_rejected,
      duplicates_removed: s.duplicates_removed.count,
    })),
    absent_sources: Object.values(sources)
      .filter((s) => s.status === 'absent')
      .map((s) => s.source),
    panel: {
      file: 'panel.parquet',
      rows: stats.rows,
      series: stats.series,
      periods: stats.periods,
      first_date: stats.first_date,
      last_date: stats.last_date,
    },
  };
  const manifest_hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, manifest_hash };
}
