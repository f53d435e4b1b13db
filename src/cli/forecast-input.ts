/**
 * What the forecasting commands (`train`, `backtest`, `forecast`) share besides reading data
 * (`src/store/forecast-data.ts`): writing forecasts as CSV, and the model options.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { formatDay } from '../core/dates.js';
import { writeFileAtomic } from '../data/atomic-write.js';
import type { Panel } from '../features/panel.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import type { Strategy } from '../forecast/model.js';
import { type ChosenModel, chooseModel, type ModelSelection } from '../forecast/model-choice.js';
import { GBM_LOSSES, type GbmLoss, MODEL_CHOICES } from '../forecast/presets.js';
import { choiceOption, intOption, threadsOption } from './options.js';

/**
 * Writes `series_id,date,yhat` plus one `q<level>` column per quantile (e.g. `q0.1`) for the model
 * `model` of a forecast: one row per series × horizon date.
 */
export async function writeForecastCsv(path: string, result: ForecastResult, model: string): Promise<number> {
  const out = result.models[model];
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  const lines = [['series_id', 'date', 'yhat', ...levels.map((q) => `q${q}`)].join(',')];
  for (let i = 0; i < out.yhat.length; i++) {
    const s = Math.floor(i / result.h);
    const cells = [csvCell(result.seriesIds[s]), formatDay(result.dates[i]), formatNumber(out.yhat[i])];
    for (const q of levels) cells.push(formatNumber(out.quantiles.get(q)![i]));
    lines.push(cells.join(','));
  }
  await writeFileAtomic(path, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

/** A number for CSV output: 10 significant digits, no trailing zeros. */
export function formatNumber(v: number): string {
  return String(Number(v.toPrecision(10)));
}

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The model options shared by `train`, `backtest` and `forecast`, as commander parses them. */
export interface ModelCommandOptions {
  quantiles: number[];
  model: ModelSelection;
  strategy?: Strategy;
  loss?: GbmLoss;
  seed: number;
  trials: number;
  intervals: 'conformal' | 'quantile-loss';
  threads: number;
}

const MODEL_SELECTIONS: readonly ModelSelection[] = [...MODEL_CHOICES, 'automl'];

/** Parses `0.1,0.5,0.9` into sorted distinct levels in (0, 1). */
export function quantilesOption(value: string): number[] {
  const levels = value.split(',').map((t) => Number(t.trim()));
  if (levels.some((q) => !(q > 0 && q < 1))) {
    throw new InvalidArgumentError(`must be numbers in (0, 1) separated by commas; got '${value}'.`);
  }
  return [...new Set(levels)].sort((a, b) => a - b);
}

/** Adds `--quantiles`, `--model`, `--strategy`, `--loss`, `--seed` and `--trials` to a command. */
export function withModelOptions(cmd: Command): Command {
  return cmd
    .option('--quantiles <levels>', 'quantile levels', quantilesOption, [0.1, 0.5, 0.9])
    .option(
      '--model <name>',
      `model: ${MODEL_SELECTIONS.join('|')} (auto: gradient boostings sized to the data, plus ETS on small panels, weighted by backtest; automl: search)`,
      choiceOption(MODEL_SELECTIONS),
      'auto',
    )
    .option(
      '--strategy <s>',
      'multi-horizon strategy of global models: direct|recursive (default: recursive for auto on a panel of 150,000 training rows or more, else direct)',
      choiceOption(['direct', 'recursive'] as const),
    )
    .option(
      '--loss <loss>',
      `gradient-boosting loss: ${GBM_LOSSES.join('|')} (default: squared; auto and ensemble also fit tweedie beside it when the target is never negative, weighted by backtest)`,
      choiceOption(GBM_LOSSES),
    )
    .option(
      '--intervals <method>',
      'quantiles from conformal calibration on backtest residuals, or from quantile-loss gradient boosting',
      choiceOption(['conformal', 'quantile-loss'] as const),
      'conformal',
    )
    .option('--seed <n>', 'random seed', intOption(0), 0)
    .option('--trials <n>', 'candidates tried by --model automl', intOption(1, 500), 12)
    .addOption(
      threadsOption('threads of each tree learner (gbm, rf); the forecasts are the same for any count'),
    );
}

/** The forecaster options of the parsed model options for `panel` and horizon `h`. */
export function chosenModel(opts: ModelCommandOptions, panel: Panel, h: number): ChosenModel {
  return chooseModel(opts.model, panel, {
    h,
    quantiles: opts.quantiles,
    seed: opts.seed,
    strategy: opts.strategy,
    loss: opts.loss,
    intervalMethod: opts.intervals,
    trials: opts.trials,
    threads: opts.threads,
  });
}
