/**
 * `salescast start` (what `npm start` runs): brings salescast up on embedded defaults. On a data
 * folder without demo data it first generates the demo retailer, then ingests it and summarises
 * the panel, so a new user sees the whole pipeline with no data of their own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../../core/config.js';
import { withCommonOptions } from '../options.js';
import { emit } from '../output.js';

interface StartFlags {
  json?: boolean;
  dataDir?: string;
}

/** Registers `start` on `program`. */
export function registerStart(program: Command): void {
  withCommonOptions(
    program
      .command('start')
      .description('Run the demo pipeline on embedded defaults: demo-data → ingest → summary.'),
  ).action(async (flags: StartFlags) => {
    const dataDir = resolveDataDir(flags.dataDir);
    const sourcesDir = join(dataDir, 'demo', 'sources');
    const panelDir = join(dataDir, 'demo', 'panel');
    // Loaded on demand: the generator and DuckDB are only needed by this command.
    const { generateDemoRetailer } = await import('../../data/demo/generate.js');
    const { writeDemoRetailer } = await import('../../data/demo/writers.js');
    const { ingestSources } = await import('../../data/ingest/index.js');
    const generated = !existsSync(join(sourcesDir, 'sales.csv'));
    if (generated) await writeDemoRetailer(generateDemoRetailer(), sourcesDir, 'csv');
    const { report, panelPath, reportPath } = await ingestSources({ sources: sourcesDir, out: panelDir });
    emit(
      flags,
      {
        data_dir: dataDir,
        sources: sourcesDir,
        generated,
        panel: panelPath,
        report: reportPath,
        panel_rows: report.panel.rows,
        series: report.panel.series,
        first_date: report.panel.first_date,
        last_date: report.panel.last_date,
        rows_rejected: report.rows_rejected,
      },
      () =>
        [
          generated
            ? `Generated the demo retailer in ${sourcesDir}.`
            : `Using the demo retailer in ${sourcesDir}.`,
          `Ingested it into ${panelPath}: ${report.panel.rows} rows, ${report.panel.series} series, ` +
            `${report.panel.first_date} → ${report.panel.last_date}.`,
          `${report.rows_rejected} dirty rows were rejected; reasons and line numbers are in ${reportPath}.`,
          'Next: salescast --help lists every command.',
        ].join('\n'),
    );
  });
}
