/**
 * `salescast ingest`: validates the eight sources and consolidates them into one sales panel. The
 * command parses options, shows progress and prints; the work lives in src/data/ingest.
 */
import type { Command } from 'commander';
import { withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { startProgress } from '../progress.js';

interface IngestFlags {
  sources: string;
  out: string;
  strict?: boolean;
  json?: boolean;
}

const HELP_AFTER = `
--sources is a folder holding sales, products and stores (required) and calendar, prices,
promotions, weather and inventory (optional), each named <source>.csv|.parquet|.json|.ndjson|.jsonl,
or a CONFIG.yaml that lists the files and maps your column names to ours (see docs/DATA.md).

Writes <out>/panel.parquet (one row per store × product × period, every driver joined) and
<out>/report.json (rows read, accepted and rejected per source, with reasons and line numbers, and
a manifest). The output folder is replaced as a whole, and only when the run succeeds.

Exit codes: 0 ok (rejected rows are listed in the report), 2 bad input: a source that cannot be
used at all, or any rejected row with --strict.

Example:
  salescast ingest --sources ./demo --out ./panel`;

/** Registers `ingest` on `program`. */
export function registerIngest(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description('Validate the sources and consolidate them into one sales panel (Parquet).')
      .requiredOption('--sources <dir|config.yaml>', 'folder of source files, or a CONFIG.yaml')
      .requiredOption('--out <dir>', 'output folder for panel.parquet and report.json')
      .option('--strict', 'exit with code 2 if any row is rejected'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: IngestFlags) => {
      await runIngest(flags);
    });
}

async function runIngest(flags: IngestFlags): Promise<void> {
  const started = performance.now();
  // Loaded here, not at the top: DuckDB's native binding is slow to load and other commands
  // should not pay for it.
  const { ingestSources } = await import('../../data/ingest/index.js');
  let progress: ReturnType<typeof startProgress> | undefined;
  const result = await ingestSources({
    sources: flags.sources,
    out: flags.out,
    strict: flags.strict,
    onProgress: (done, total) => {
      progress ??= startProgress('ingesting', total, { json: flags.json });
      progress.update(done);
    },
  }).finally(() => progress?.stop());
  const seconds = Math.round(performance.now() - started) / 1000;
  const { report, panelPath, reportPath } = result;
  const sources = Object.values(report.sources).filter((s) => s.status === 'read');
  emit(
    flags,
    {
      ok: true,
      panel: panelPath,
      report: reportPath,
      panel_rows: report.panel.rows,
      series: report.panel.series,
      periods: report.panel.periods,
      frequency: report.frequency,
      first_date: report.panel.first_date,
      last_date: report.panel.last_date,
      rows_rejected: report.rows_rejected,
      sources: Object.fromEntries(
        sources.map((s) => [
          s.source,
          {
            file: s.file,
            rows_read: s.rows_read,
            accepted: s.rows_accepted,
            rejected: s.rows_rejected,
            duplicates_removed: s.duplicates_removed.count,
          },
        ]),
      ),
      absent_sources: report.manifest.absent_sources,
      manifest_hash: report.manifest.manifest_hash,
      seconds,
    },
    () =>
      [
        `${'source'.padEnd(12)}${'file'.padEnd(22)}${'read'.padStart(10)}${'accepted'.padStart(10)}${'rejected'.padStart(10)}${'dupes'.padStart(8)}`,
        ...sources.map(
          (s) =>
            `${s.source.padEnd(12)}${String(s.file).padEnd(22)}${String(s.rows_read).padStart(10)}${String(s.rows_accepted).padStart(10)}${String(s.rows_rejected).padStart(10)}${String(s.duplicates_removed.count).padStart(8)}`,
        ),
        ...report.manifest.absent_sources.map((s) => `${s.padEnd(12)}(absent: its panel columns are empty)`),
        '',
        `Panel: ${report.panel.rows} rows, ${report.panel.series} series × ${report.panel.periods} ${report.frequency === 'week' ? 'weeks' : 'days'} (${report.panel.first_date} → ${report.panel.last_date}); ` +
          `${report.panel.status_counts.missing} missing, ${report.panel.status_counts.no_sale} no-sale, ${report.panel.stockout_rows} stockout rows.`,
        `Wrote ${panelPath} and ${reportPath} in ${seconds} s.`,
        report.rows_rejected > 0
          ? `${report.rows_rejected} rows rejected: see ${reportPath} for reasons and line numbers.`
          : '',
      ]
        .filter((l, i, all) => l !== '' || i < all.length - 1)
        .join('\n'),
  );
}
