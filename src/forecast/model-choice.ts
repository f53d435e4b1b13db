/**
 * The one place that turns a `--model` choice into forecaster options: a preset, or the winner of an
 * AutoML search on the data itself (with the search's leaderboard).
 */
import { type Panel, targetNeverNegative } from '../features/panel.js';
import { type AutoMlResult, autoMl } from './automl.js';
import type { ForecasterOptions } from './forecaster.js';
import {
  defaultTrainWindow,
  type ModelChoice,
  type PresetOptions,
  presetOptions,
  trainingRowCount,
} from './presets.js';

export type ModelSelection = ModelChoice | 'automl';

export interface ChosenModel {
  readonly options: ForecasterOptions;
  /** Present when AutoML chose the model. */
  readonly automl?: AutoMlResult;
}

/**
 * Options for `selection` on `panel`. AutoML backtests `trials` candidates for horizon `h` and keeps
 * the winner, with the caller's quantiles (calibrated conformally).
 */
export function chooseModel(
  selection: ModelSelection,
  panel: Panel,
  options: Omit<PresetOptions, 'freq'> & { readonly h: number; readonly trials?: number },
): ChosenModel {
  if (selection !== 'automl') {
    const nonNegative = targetNeverNegative(panel);
    const trainingRows = trainingRowCount(panel, defaultTrainWindow(panel.freq));
    return {
      options: presetOptions(selection, { ...options, freq: panel.freq, nonNegative, trainingRows }),
    };
  }
  const automl = autoMl(panel, {
    h: options.h,
    trials: options.trials,
    seed: options.seed,
    threads: options.threads,
  });
  return { options: { ...automl.options, quantiles: options.quantiles }, automl };
}

/** A leaderboard as plain JSON rows for `--json` output. */
export function leaderboardJson(result: AutoMlResult): Record<string, unknown>[] {
  return result.leaderboard.map((e) => ({
    id: e.candidate.id,
    family: e.candidate.family,
    params: e.candidate.params,
    strategy: e.candidate.strategy,
    transform: e.candidate.transform,
    target_encodings: e.candidate.targetEncodings,
    rung: e.rung,
    windows: e.windows,
    wape: Number.isFinite(e.wape) ? e.wape : null,
    ...(e.error ? { error: e.error } : {}),
  }));
}
