/**
 * `salescast explain`: the drivers of a saved model's forecast per period (business drivers in
 * units), its global importance ranking, and why sales changed between two periods. Also holds
 * what `explain`, `whatif` and `report` share: reading the model file, the history and the known
 * future drivers.
 */
import type { Command } from 'commander';
import { formatDay, parseIsoDay } from '../../core/dates.js';
import { SalescastError } from '../../core/errors.js';
import type { Panel } from '../../features/panel.js';
import type { ExplainAnswer, ExplainData, Selection } from '../../realtime/explain-service.js';
import { readForecastData, readModelFile } from '../../store/forecast-data.js';
import { dateOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

/** The options of the commands that explain a saved model on files. */
export interface ExplainInputOptions {
  modelFile: string;
  data: string;
  future?: string;
  cutoff?: string;
  horizon?: number;
  model?: string;
  json?: boolean;
}

/** Adds `--model-file`, `--data`, `--future`, `--cutoff`, `--horizon` and `--model` to a command. */
export function withExplainInput(cmd: Command): Command {
  return cmd
    .requiredOption('--model-file <file>', 'model saved by `salescast train`')
    .requiredOption('--data <file>', 'history: long CSV/Parquet, or an ingested panel directory')
    .option('--future <file>', 'known drivers of the forecast periods (the columns of --data without y)')
    .option(
      '--cutoff <date>',
      'forecast from the data through this date; its later rows are the known future drivers',
      dateOption,
    )
    .option('--horizon <periods>', "periods to forecast (default: the model's horizon)", intOption(1, 10_000))
    .option(
      '--model <name>',
      'model of the forecaster to explain (default: the ensemble if it has one, else gbm, else the first)',
    );
}

/** Adds `--series`, `--store` and `--product`. */
export function withSelection(cmd: Command): Command {
  return cmd
    .option('--series <id>', 'one series (store/product)')
    .option('--store <id>', 'the series of one store')
    .option('--product <id>', 'the series of one product');
}

/**
 * The history of `data` through `cutoff` (YYYY-MM-DD); INVALID_ARGUMENT naming --cutoff when that
 * leaves no history, or lies after the data's last date (the forecast would start there instead).
 */
export async function historyThrough(data: Panel, cutoff: string): Promise<Panel> {
  const { lastDate, panelThrough } = await import('../../features/panel.js');
  const day = parseIsoDay(cutoff)!;
  const last = lastDate(data);
  if (day > last) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `--cutoff ${cutoff} is after the data's last date ${formatDay(last)}; without --cutoff the forecasts start after it.`,
      { field: 'cutoff' },
    );
  }
  const history = panelThrough(data, day);
  if (history.y.length === 0) {
    throw new SalescastError('INVALID_ARGUMENT', `--cutoff ${cutoff} is before every date of the data.`, {
      field: 'cutoff',
    });
  }
  return history;
}

/** Reads the model file, the history and the future drivers named by the options. */
export async function readExplainInput(opts: ExplainInputOptions): Promise<ExplainData> {
  const forecaster = await readModelFile(opts.modelFile);
  const data = await readForecastData(opts.data, { trainedOn: forecaster.history });
  const history = opts.cutoff ? await historyThrough(data, opts.cutoff) : data;
  // A future file must cover the periods forecast after the history; without one, a cutoff
  // forecasts with the drivers the data itself has for those periods.
  const horizon = opts.horizon ?? forecaster.horizon;
  const future = opts.future
    ? await readForecastData(opts.future, { future: true, like: history, horizon })
    : opts.cutoff
      ? data
      : undefined;
  return { forecaster, history, future, h: opts.horizon, component: opts.model };
}

interface ExplainCommandOptions extends ExplainInputOptions {
  series?: string;
  store?: string;
  product?: string;
  why?: boolean;
  from?: string;
  to?: string;
  compareFrom?: string;
  compareTo?: string;
  global?: boolean;
}

const HELP_AFTER = `
Explains the forecast of a model saved by \`salescast train\`: per forecast period, the model's base
and the units each business driver (price, promotion, seasonality, trend/level, holiday, weather,
store, product) adds, summed over the selected series (base + drivers = forecast). --global adds
the model's importance ranking; --why explains the change of sales from the compared period to the
period --from..--to (default: the last 7 days against the 7 days before) through the drivers.

Examples:
  salescast explain --model-file model.scf --data ./panel --cutoff 2024-12-24 --series S01/P004
  salescast explain --model-file model.scf --data ./panel --product P005 --why --global
  salescast explain --model-file model.scf --data ./panel --product P001 --why \\
    --from 2024-09-04 --to 2024-09-10 --compare-from 2024-08-28 --compare-to 2024-09-03 --json
`;

export function selectionOf(opts: { series?: string; store?: string; product?: string }): Selection {
  if (opts.series !== undefined && (opts.store !== undefined || opts.product !== undefined))
    throw new SalescastError('USAGE', 'give --series, or --store and/or --product, not both.');
  return { series: opts.series, store: opts.store, product: opts.product };
}

export function registerExplain(program: Command): void {
  withCommonOptions(
    withSelection(
      withExplainInput(
        program
          .command('explain')
          .description(
            "Explain a saved model's forecast: drivers per period, global importance, why sales changed.",
          ),
      ),
    )
      .option('--why', 'explain why sales changed between two periods of the history')
      .option('--from <date>', 'first day of the period explained by --why', dateOption)
      .option('--to <date>', 'last day of the period explained by --why', dateOption)
      .option('--compare-from <date>', 'first day of the period compared with', dateOption)
      .option('--compare-to <date>', 'last day of the period compared with', dateOption)
      .option('--global', "add the model's global importance ranking"),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ExplainCommandOptions) => {
      const selection = selectionOf(opts);
      if (!opts.why && (opts.from || opts.to || opts.compareFrom || opts.compareTo))
        throw new SalescastError('USAGE', '--from, --to, --compare-from and --compare-to go with --why.');
      const data = await readExplainInput(opts);
      const { explainAnswer } = await import('../../realtime/explain-service.js');
      const answer = explainAnswer(data, {
        selection,
        global: opts.global,
        why: opts.why
          ? { from: opts.from, to: opts.to, compareFrom: opts.compareFrom, compareTo: opts.compareTo }
          : undefined,
      });
      emit(opts, answer as unknown as Record<string, unknown>, () => explainText(answer, selection));
    });
}

const LABELS: Readonly<Record<string, string>> = {
  trend: 'trend',
  seasonality: 'season',
  holiday: 'holiday',
  price: 'price',
  promotion: 'promo',
  weather: 'weather',
  store: 'store',
  product: 'product',
  other: 'other',
};

const fixed = (x: number, digits = 1) => x.toFixed(digits).replace(/^-(0\.0+)$/, '$1');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A right-aligned text table. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function explainText(a: ExplainAnswer, selection: Selection): string {
  const who =
    selection.series ??
    ([selection.store && `store ${selection.store}`, selection.product && `product ${selection.product}`]
      .filter(Boolean)
      .join(', ') ||
      'all series');
  const drivers = [...new Set(a.periods.flatMap((p) => Object.keys(p.drivers)))];
  const lines = [
    `Drivers of the forecast of ${who} (${a.series} series, model ${a.model}), units: base + drivers = forecast.`,
    textTable(
      ['date', 'forecast', 'base', ...drivers.map((d) => LABELS[d] ?? d)],
      a.periods.map((p) => [
        p.date,
        fixed(p.prediction),
        fixed(p.base),
        ...drivers.map((d) => fixed(p.drivers[d as keyof typeof p.drivers] ?? 0)),
      ]),
    ),
  ];
  if (a.importance) {
    lines.push(
      '',
      `Global importance (${a.importance.method}): ${a.importance.drivers.map((d) => `${d.driver} ${pct(d.share)}`).join(', ')}.`,
      `Top features: ${a.importance.features
        .slice(0, 6)
        .map((f) => `${f.name} ${pct(f.share)}`)
        .join(', ')}.`,
    );
  }
  if (a.change) {
    lines.push('');
    // An ensemble's past is explained by one of its learners: say which.
    if (a.change.model !== a.model) lines.push(`Explained by the ensemble's member ${a.change.model}:`);
    lines.push(a.change.narrative);
  }
  return lines.join('\n');
}
