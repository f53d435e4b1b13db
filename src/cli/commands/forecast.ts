/**
 * `salescast forecast`: fits a forecaster on a long CSV or an ingested panel (or loads one saved by
 * `salescast train`) and writes `series_id,date,yhat,q…` for the next `--horizon` periods of every
 * series.
 */
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import { seriesCount } from '../../features/panel.js';
import { ENSEMBLE, Forecaster, type ForecastResult } from '../../forecast/forecaster.js';
import { hierarchicalForecast } from '../../forecast/hierarchical.js';
import { RECONCILIATION_METHODS, type ReconciliationMethod } from '../../forecast/hierarchy.js';
import { leaderboardJson } from '../../forecast/model-choice.js';
import { readForecastData, readModelFile } from '../../store/forecast-data.js';
import {
  chosenModel,
  type ModelCommandOptions,
  withModelOptions,
  writeForecastCsv,
} from '../forecast-input.js';
import { checkOutputPath, choiceOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

interface ForecastCommandOptions extends ModelCommandOptions {
  data: string;
  horizon: number;
  out: string;
  future?: string;
  modelFile?: string;
  reconcile?: ReconciliationMethod;
  json?: boolean;
}

const HELP_AFTER = `
Reads a long CSV/Parquet with series_id,date,y plus any driver columns (numeric or text), or an
ingested panel (its directory or panel.parquet). The frequency, daily or weekly, is inferred.
--future gives the drivers of the horizon dates: a row for every series on every horizon date (a
driver column it leaves out keeps each series' recent typical value). Without it only calendar
features are known, and a driver that was never missing in training keeps that value too.
With --model-file the data must be of the model's frequency and series, with its driver columns.
Writes series_id,date,yhat and one q<level> column per quantile: one row per series × date.

Examples:
  salescast forecast --data train.csv --future future.csv --horizon 8 --out forecast.csv
  salescast forecast --data ./panel --horizon 28 --model gbm --quantiles 0.05,0.5,0.95 --out f.csv
  salescast forecast --data ./panel --horizon 28 --reconcile mint_shrink --out coherent.csv
  salescast forecast --data ./panel --horizon 14 --model-file model.scf --out f.csv
`;

export function registerForecast(program: Command): void {
  withCommonOptions(
    withModelOptions(
      program
        .command('forecast')
        .description('Forecast every series of a long CSV (series_id,date,y,…) or an ingested panel.')
        .requiredOption('--data <file>', 'history: long CSV/Parquet, or an ingested panel directory')
        .requiredOption(
          '--horizon <periods>',
          'periods to forecast (days or weeks, as the data)',
          intOption(1, 10_000),
        )
        .requiredOption('--out <file>', 'output CSV: series_id,date,yhat,q<level>…')
        .option('--future <file>', 'known drivers for the horizon dates (the columns of --data without y)')
        .option(
          '--model-file <file>',
          'forecast with a model saved by `salescast train` instead of fitting one',
        )
        .option(
          '--reconcile <method>',
          `also forecast every store, product and the total, coherently: ${RECONCILIATION_METHODS.join('|')} (series ids store/product)`,
          choiceOption(RECONCILIATION_METHODS),
        ),
    ),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ForecastCommandOptions) => {
      const started = Date.now();
      checkOutputPath('--out', opts.out, {
        '--data': opts.data,
        '--future': opts.future,
        '--model-file': opts.modelFile,
      });
      const trained = opts.modelFile ? await readModelFile(opts.modelFile) : undefined;
      const panel = await readForecastData(opts.data, { trainedOn: trained?.history });
      const future = opts.future
        ? await readForecastData(opts.future, { future: true, like: panel, horizon: opts.horizon })
        : undefined;
      const chosen = trained ? undefined : chosenModel(opts, panel, opts.horizon);
      if (opts.reconcile) {
        if (!chosen)
          throw new SalescastError('USAGE', '--reconcile fits its own models; it cannot use --model-file.');
        const model = chosen.options.ensemble ? ENSEMBLE : Object.keys(chosen.options.models)[0];
        const coherent = hierarchicalForecast(panel, chosen.options, {
          h: opts.horizon,
          method: opts.reconcile,
          model,
          future,
        });
        const nodes = coherent.labels.length;
        const result: ForecastResult = {
          seriesIds: coherent.labels,
          h: opts.horizon,
          dates: Int32Array.from(
            { length: nodes * opts.horizon },
            (_, i) => coherent.dates[i % opts.horizon],
          ),
          models: { [model]: coherent.forecast },
        };
        const rows = await writeForecastCsv(opts.out, result, model);
        emit(
          opts,
          {
            out: opts.out,
            rows,
            nodes,
            horizon: opts.horizon,
            frequency: panel.freq,
            model,
            reconcile: opts.reconcile,
          },
          () =>
            `Wrote ${rows} coherent forecasts (${nodes} nodes × ${opts.horizon}, ${opts.reconcile}) to ${opts.out}.`,
        );
        return;
      }
      const forecaster = trained ?? new Forecaster(chosen!.options).fit(panel, { h: opts.horizon });
      const result = forecaster.predict(opts.horizon, { future, history: panel });
      const model = forecaster.modelNames.includes(ENSEMBLE) ? ENSEMBLE : forecaster.modelNames[0];
      const rows = await writeForecastCsv(opts.out, result, model);
      emit(
        opts,
        {
          out: opts.out,
          rows,
          series: seriesCount(panel),
          horizon: opts.horizon,
          frequency: panel.freq,
          model,
          weights: Object.fromEntries(forecaster.weights),
          ...(chosen?.automl ? { leaderboard: leaderboardJson(chosen.automl) } : {}),
          seconds: (Date.now() - started) / 1000,
        },
        () =>
          `Wrote ${rows} forecasts (${seriesCount(panel)} series × ${opts.horizon} ${panel.freq === 'week' ? 'weeks' : 'days'}, model ${model}) to ${opts.out}.`,
      );
    });
}
