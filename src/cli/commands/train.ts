/**
 * `salescast train`: fits a forecaster on a long CSV or an ingested panel and writes its artifact,
 * which `salescast forecast --model-file` (and later the model registry) forecasts from.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../data/atomic-write.js';
import { seriesCount } from '../../features/panel.js';
import { Forecaster } from '../../forecast/forecaster.js';
import { leaderboardJson } from '../../forecast/model-choice.js';
import { readForecastData } from '../../store/forecast-data.js';
import { chosenModel, type ModelCommandOptions, withModelOptions } from '../forecast-input.js';
import { checkOutputPath, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

interface TrainCommandOptions extends ModelCommandOptions {
  data: string;
  horizon: number;
  out: string;
  json?: boolean;
}

const HELP_AFTER = `
Backtests the chosen model to calibrate its intervals (and weigh the ensemble), fits it on all the
data and writes a versioned artifact. --model automl searches every family first and prints the
leaderboard with --json.

Examples:
  salescast train --data ./panel --horizon 28 --out model.scf
  salescast train --data train.csv --horizon 8 --model automl --trials 12 --out best.scf --json
`;

export function registerTrain(program: Command): void {
  withCommonOptions(
    withModelOptions(
      program
        .command('train')
        .description('Fit a forecaster (features, models, calibrated intervals) and save it as an artifact.')
        .requiredOption(
          '--data <file>',
          'long CSV/Parquet (series_id,date,y,…) or an ingested panel directory',
        )
        .requiredOption(
          '--horizon <periods>',
          'longest horizon the model will forecast',
          intOption(1, 10_000),
        )
        .requiredOption('--out <file>', 'artifact file to write'),
    ),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: TrainCommandOptions) => {
      const started = Date.now();
      checkOutputPath('--out', opts.out, { '--data': opts.data });
      const panel = await readForecastData(opts.data);
      const chosen = chosenModel(opts, panel, opts.horizon);
      const forecaster = new Forecaster(chosen.options).fit(panel, { h: opts.horizon });
      const bytes = forecaster.serialize();
      await writeFileAtomic(opts.out, bytes);
      const lines = [
        `Trained ${forecaster.modelNames.join(', ')} on ${seriesCount(panel)} series for horizons up to ${opts.horizon}; wrote ${opts.out} (${bytes.length} bytes).`,
      ];
      if (chosen.automl) {
        const best = chosen.automl.best;
        lines.push(
          `AutoML chose ${best.family} ${JSON.stringify(best.params)} (${best.strategy}, ${best.transform}).`,
        );
      }
      emit(
        opts,
        {
          out: opts.out,
          bytes: bytes.length,
          series: seriesCount(panel),
          frequency: panel.freq,
          horizon: opts.horizon,
          models: forecaster.modelNames,
          weights: Object.fromEntries(forecaster.weights),
          ...(chosen.automl ? { leaderboard: leaderboardJson(chosen.automl) } : {}),
          seconds: (Date.now() - started) / 1000,
        },
        () => lines.join('\n'),
      );
    });
}
