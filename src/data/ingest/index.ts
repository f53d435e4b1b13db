/**
 * Ingestion of the eight sources into one sales panel: read (DuckDB), validate, clean,
 * consolidate, and write `<out>/panel.parquet` + `<out>/report.json` atomically.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Frequency } from '../../core/dates.js';
import { SalescastError } from '../../core/errors.js';
import { writeDirAtomic } from '../atomic-write.js';
import { withDuckDb } from '../duckdb.js';
import { SOURCE_NAMES, type SourceName } from '../schema.js';
import { alignDrivers, buildGrid, inferFrequency } from './clean.js';
import { PANEL_COLUMNS, panelStats, writePanel } from './panel.js';
import { dropSource, type LoadedSource, loadSource } from './read.js';
import {
  absentSourceReport,
  buildManifest,
  type IngestReport,
  type Manifest,
  type SourceReport,
  sourceReport,
} from './report.js';
import { createRejectionsTable, validateSource } from './rules.js';
import { planSources } from './sources.js';

export { PANEL_COLUMNS, type PanelStats, type SalesStatus } from './panel.js';
export type { IngestReport, Manifest, RejectionGroup, SourceReport } from './report.js';
export { REJECTION_REASONS, type RejectionReason } from './rules.js';

export interface IngestOptions {
  /** A folder holding `<source>.<ext>` files, or a CONFIG.yaml. */
  sources: string;
  /** Output folder; it is replaced as a whole by `panel.parquet` and `report.json`. */
  out: string;
  /** Fail with REJECTED_ROWS (exit code 2) if any row is rejected; nothing is written then. */
  strict?: boolean;
  /** Called after each step with the steps done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface IngestResult {
  report: IngestReport;
  /** Absolute path of `<out>/panel.parquet`. */
  panelPath: string;
  /** Absolute path of `<out>/report.json`. */
  reportPath: string;
  manifest: Manifest;
}

/** Master data first: the other sources' foreign keys are checked against their accepted rows. */
const VALIDATION_ORDER: readonly SourceName[] = [
  'stores',
  'products',
  'sales',
  'calendar',
  'prices',
  'promotions',
  'weather',
  'inventory',
];

/**
 * Reads, validates and consolidates the sources into `<out>/panel.parquet` and
 * `<out>/report.json`. Rows that fail validation are rejected and listed in the report. A source
 * that cannot be used at all throws a SalescastError with exit code 2 naming the file (and column
 * or line); in that case, and on any other failure, `out` is left exactly as it was.
 */
export async function ingestSources(options: IngestOptions): Promise<IngestResult> {
  const plan = await planSources(options.sources);
  const out = resolve(options.out);
  await assertReplaceableOutput(out, plan.configPath ? dirname(plan.configPath) : resolve(options.sources));
  const present = new Set(SOURCE_NAMES.filter((s) => plan.files[s]));
  const total = present.size * 2 + 2;
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);

  return withDuckDb(async (conn) => {
    // One source at a time, so that only one raw file is held in DuckDB at once.
    const loaded = new Map<SourceName, LoadedSource>();
    await createRejectionsTable(conn);
    let frequency: Frequency = plan.frequency ?? 'day';
    for (const source of VALIDATION_ORDER) {
      const f = plan.files[source];
      if (!f) continue;
      loaded.set(source, await loadSource(conn, f));
      tick();
      if (source === 'sales') frequency = plan.frequency ?? (await inferFrequency(conn, f.dateFormat));
      await validateSource(conn, source, f.dateFormat, frequency);
      await dropSource(conn, source);
      tick();
    }
    const sources = {} as Record<SourceName, SourceReport>;
    for (const source of SOURCE_NAMES) {
      const l = loaded.get(source);
      sources[source] = l ? await sourceReport(conn, l) : absentSourceReport(source);
    }
    if (options.strict) assertNoRejections(sources);
    if (sources.sales.rows_accepted === 0) {
      throw new SalescastError(
        'INVALID_DATA',
        `${sources.sales.file}: no valid sales rows; nothing to build a panel from`,
        {
          file: sources.sales.file ?? undefined,
        },
      );
    }

    await buildGrid(conn, frequency);
    await alignDrivers(conn, frequency, present);
    const report = await writeDirAtomic(out, async (tmp) => {
      const panel = join(tmp, 'panel.parquet');
      await writePanel(conn, panel, present);
      const stats = await panelStats(conn, panel, frequency);
      tick();
      const all = Object.values(sources);
      const built: IngestReport = {
        created_at: new Date().toISOString(),
        frequency,
        frequency_source: plan.frequency ? 'config' : 'inferred',
        strict: Boolean(options.strict),
        rows_read: all.reduce((n, s) => n + s.rows_read, 0),
        rows_accepted: all.reduce((n, s) => n + s.rows_accepted, 0),
        rows_rejected: all.reduce((n, s) => n + s.rows_rejected, 0),
        sources,
        panel: { ...stats, file: 'panel.parquet', columns: PANEL_COLUMNS },
        manifest: buildManifest(sources, stats, frequency),
      };
      await writeFile(join(tmp, 'report.json'), `${JSON.stringify(built, null, 2)}\n`);
      return built;
    });
    tick();
    const { manifest } = report;
    return { report, panelPath: join(out, 'panel.parquet'), reportPath: join(out, 'report.json'), manifest };
  });
}

/**
 * The output folder is replaced as a whole, so refuse a folder that holds anything but an earlier
 * ingest output, and any folder that contains the sources.
 */
async function assertReplaceableOutput(out: string, sourcesDir: string): Promise<void> {
  const rel = relative(out, sourcesDir);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `--out ${out} contains the sources; choose another output folder`,
      {
        field: 'out',
      },
    );
  }
  const info = await stat(out).catch(() => undefined);
  if (!info) return;
  const entries = info.isDirectory() ? await readdir(out) : ['(a file)'];
  const foreign = entries.filter((e) => e !== 'panel.parquet' && e !== 'report.json');
  if (foreign.length > 0) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `--out ${out} exists and holds other files (${foreign.slice(0, 3).join(', ')}); it would be replaced, so choose an empty or new folder`,
      { field: 'out' },
    );
  }
}

function assertNoRejections(sources: Record<SourceName, SourceReport>): void {
  const withRejections = Object.values(sources).filter((s) => s.rows_rejected > 0);
  if (withRejections.length === 0) return;
  const total = withRejections.reduce((n, s) => n + s.rows_rejected, 0);
  const s = withRejections[0];
  const g = [...s.rejections].sort((a, b) => a.lines[0] - b.lines[0])[0];
  const line = g.lines[0];
  const col = g.column ? ` in column '${g.column}'` : '';
  throw new SalescastError(
    'REJECTED_ROWS',
    `${s.file}:${line}: row rejected (${g.reason}${col}); ${total} row(s) rejected in total and --strict is set`,
    { file: s.file ?? undefined, line, field: g.column ?? undefined },
  );
}
