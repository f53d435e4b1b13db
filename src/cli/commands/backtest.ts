/**
 * `salescast backtest`: rolling-origin cross-validation of a model on a long CSV or an ingested
 * panel, with metrics per series and in aggregate, and optionally the backtest rows as CSV.
 */
import type { Command } from 'commander';
import { formatDay } from '../../core/dates.js';
import { writeFileAtomic } from '../../data/atomic-write.js';
import { seriesCount } from '../../features/panel.js';
import { scoreBacktest } from '../../forecast/backtest-report.js';
import { type CrossValidationResult, Forecaster } from '../../forecast/forecaster.js';
import { leaderboardJson } from '../../forecast/model-choice.js';
import { defaultSeason } from '../../forecast/presets.js';
import { readForecastData } from '../../store/forecast-data.js';
import {
  chosenModel,
  csvCell,
  formatNumber,
  type ModelCommandOptions,
  withModelOptions,
} from '../forecast-input.js';
import { checkOutputPath, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

interface BacktestCommandOptions extends ModelCommandOptions {
  data: string;
  horizon: number;
  windows: number;
  step?: number;
  refit: string;
  out?: string;
  json?: boolean;
}

function refitOption(value: string): string {
  if (value === 'true' || value === 'false') return value;
  return String(intOption(1)(value));
}

const HELP_AFTER = `
Cutoffs are --step periods apart (default: the horizon); the last one is --horizon periods before
the end of the data. Each window trains on the data up to its cutoff and forecasts --horizon
periods; metrics are reported per series and in aggregate (--json) and per model.

Examples:
  salescast backtest --data ./panel --horizon 28 --windows 4 --refit 2
  salescast backtest --data train.csv --horizon 8 --model ensemble --out rows.csv --json
`;

export function registerBacktest(program: Command): void {
  withCommonOptions(
    withModelOptions(
      program
        .command('backtest')
        .description(
          'Rolling-origin backtest: WAPE, MAE, RMSE, MASE, sMAPE, MAPE, bias, R², pinball loss and coverage, per series and in aggregate.',
        )
        .requiredOption(
          '--data <file>',
          'long CSV/Parquet (series_id,date,y,…) or an ingested panel directory',
        )
        .requiredOption('--horizon <periods>', 'periods forecast from each cutoff', intOption(1, 10_000))
        .option('--windows <n>', 'number of cutoffs', intOption(1, 100), 3)
        .option('--step <periods>', 'periods between cutoffs (default: the horizon)', intOption(1, 10_000))
        .option(
          '--refit <when>',
          'refit every window (true), only the first (false), or every k-th (k)',
          refitOption,
          'true',
        )
        .option('--out <file>', 'write the backtest rows (series_id,cutoff,date,step,y,<model>…) as CSV'),
    ),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: BacktestCommandOptions) => {
      const started = Date.now();
      checkOutputPath('--out', opts.out, { '--data': opts.data });
      const panel = await readForecastData(opts.data);
      const chosen = chosenModel(opts, panel, opts.horizon);
      const forecaster = new Forecaster(chosen.options);
      const refit = opts.refit === 'true' ? true : opts.refit === 'false' ? false : Number(opts.refit);
      const cv = forecaster.crossValidation(panel, {
        h: opts.horizon,
        nWindows: opts.windows,
        step: opts.step,
        refit,
      });
      const scores = scoreBacktest(cv, panel, defaultSeason(panel.freq));
      if (opts.out) await writeFileAtomic(opts.out, backtestCsv(cv));
      const models = Object.fromEntries(
        Object.entries(scores).map(([name, s]) => [
          name,
          { aggregate: s.aggregate, per_series: s.perSeries },
        ]),
      );
      emit(
        opts,
        {
          series: seriesCount(panel),
          frequency: panel.freq,
          horizon: opts.horizon,
          cutoffs: [...new Set(cv.cutoff)].map(formatDay),
          fits: cv.fits,
          rows: cv.y.length,
          models,
          ...(chosen.automl ? { leaderboard: leaderboardJson(chosen.automl) } : {}),
          out: opts.out ?? null,
          seconds: (Date.now() - started) / 1000,
        },
        () => {
          const lines = [
            `Backtest: ${seriesCount(panel)} series, ${new Set(cv.cutoff).size} cutoffs × ${opts.horizon} periods, ${cv.fits} fits.`,
            'model        WAPE     MAE        RMSE       MASE    sMAPE   bias     coverage',
          ];
          for (const [name, s] of Object.entries(scores)) {
            const a = s.aggregate;
            lines.push(
              [
                name.padEnd(12),
                a.wape.toFixed(4).padEnd(8),
                a.mae.toPrecision(5).padEnd(10),
                a.rmse.toPrecision(5).padEnd(10),
                a.mase.toFixed(3).padEnd(7),
                a.smape.toFixed(4).padEnd(7),
                a.bias.toFixed(4).padEnd(8),
                a.coverage === undefined ? '-' : a.coverage.toFixed(3),
              ].join(' '),
            );
          }
          if (opts.out) lines.push(`Rows written to ${opts.out}.`);
          return lines.join('\n');
        },
      );
    });
}

/** One line per backtest row: series, cutoff, date, step, actual, then each model's forecast and quantiles. */
function backtestCsv(cv: CrossValidationResult): string {
  const columns: [string, Float64Array][] = [];
  for (const [name, m] of Object.entries(cv.models)) {
    columns.push([name, m.yhat]);
    for (const q of [...m.quantiles.keys()].sort((a, b) => a - b))
      columns.push([`${name}_q${q}`, m.quantiles.get(q)!]);
  }
  const lines = [['series_id', 'cutoff', 'date', 'step', 'y', ...columns.map(([n]) => n)].join(',')];
  for (let i = 0; i < cv.y.length; i++) {
    lines.push(
      [
        csvCell(cv.seriesIds[cv.series[i]]),
        formatDay(cv.cutoff[i]),
        formatDay(cv.date[i]),
        cv.step[i] + 1,
        formatNumber(cv.y[i]),
        ...columns.map(([, v]) => formatNumber(v[i])),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
