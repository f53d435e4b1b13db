/**
 * `salescast demo-data`: writes a realistic demo retailer (the eight sources plus truth.json) from
 * a known causal model. The command only parses options and prints; the generator lives in
 * src/data/demo.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import { generateDemoRetailer } from '../../data/demo/generate.js';
import { DEFAULT_DEMO_OPTIONS, type DemoOptions } from '../../data/demo/options.js';
import { DEMO_FORMATS, type DemoFormat, writeDemoRetailer } from '../../data/demo/writers.js';
import { choiceOption, dateOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { startProgress } from '../progress.js';

interface DemoDataFlags {
  out: string;
  stores: number;
  products: number;
  start: string;
  days: number;
  freq: DemoOptions['freq'];
  seed: number;
  format: DemoFormat;
  json?: boolean;
}

const HELP_AFTER = `
Writes sales, products, stores, calendar, prices, promotions, weather and inventory (one file
each, named after the source, in the columns of the source schemas) plus truth.json with every
true parameter, the planted dirty records and the uncensored demand. The same seed and flags give
byte-identical files. --format json writes NDJSON files (*.ndjson).

Sizes: sales has stores × products × periods rows, minus the store-periods planted as missing
(3 × products rows), plus 4 dirty extra rows (3 duplicates and 1 unknown product).
  --stores 10 --products 20 --days 733   146,600 rows before dirty records (146,544 in sales.csv)

Example:
  salescast demo-data --out ./demo --stores 10 --products 20 --days 733`;

/** Registers `demo-data` on `program`. */
export function registerDemoData(program: Command): void {
  const d = DEFAULT_DEMO_OPTIONS;
  withCommonOptions(
    program
      .command('demo-data')
      .description('Generate a demo retailer with known truth (eight source files + truth.json).')
      .requiredOption('--out <dir>', 'output folder (created if missing)')
      .option('--stores <n>', 'number of stores, 1–500', intOption(1, 500), d.stores)
      .option('--products <n>', 'number of products, 1–2000', intOption(1, 2000), d.products)
      .option(
        '--start <date>',
        'first day YYYY-MM-DD (weekly: moved back to its Monday)',
        dateOption,
        d.start,
      )
      .option('--days <n>', 'number of days covered, 1–3660', intOption(1, 3660), d.days)
      .option(
        '--freq <freq>',
        'day, or week (weeks start on Monday; units are weekly totals)',
        choiceOption(['day', 'week'] as const),
        d.freq,
      )
      .option('--seed <n>', 'random seed, 0–4294967295', intOption(0, 4_294_967_295), d.seed)
      .option('--format <format>', 'csv, parquet or json (NDJSON)', choiceOption(DEMO_FORMATS), 'csv'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: DemoDataFlags) => {
      await runDemoData(flags);
    });
}

async function runDemoData(flags: DemoDataFlags): Promise<void> {
  const out = resolve(flags.out);
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new SalescastError('INVALID_ARGUMENT', `--out must be a folder; ${out} is a file.`, {
      file: out,
      field: 'out',
    });
  }
  const started = performance.now();
  const progress = startProgress('simulating', flags.stores * flags.products, { json: flags.json });
  const retailer = generateDemoRetailer(
    {
      stores: flags.stores,
      products: flags.products,
      start: flags.start,
      days: flags.days,
      freq: flags.freq,
      seed: flags.seed,
    },
    (done) => progress.update(done),
  );
  progress.stop();
  const files = await writeDemoRetailer(retailer, out, flags.format);
  const seconds = Math.round(performance.now() - started) / 1000;
  const { truth } = retailer;
  emit(
    flags,
    {
      ok: true,
      out,
      format: flags.format,
      frequency: truth.frequency,
      periods: truth.window.periods,
      first_period: truth.window.first_period,
      last_period: truth.window.last_period,
      files,
      stockout_rate: truth.stockouts.stockout_rate,
      seconds,
    },
    () =>
      [
        `Wrote the demo retailer to ${out} in ${seconds} s (${truth.window.periods} ${truth.frequency === 'week' ? 'weeks' : 'days'} from ${truth.window.first_period}, seed ${truth.seed}):`,
        ...files.map((f) => `  ${f.file.padEnd(20)} ${String(f.rows).padStart(9)} rows`),
        `Stockouts on ${(truth.stockouts.stockout_rate * 100).toFixed(1)}% of store × product days; dirty records are listed in truth.json.`,
      ].join('\n'),
  );
}
