/**
 * Scores of a rolling-origin backtest, per model, in aggregate and per series: WAPE, MAE, RMSE,
 * MASE, sMAPE, MAPE (rows with y = 0 skipped and counted), bias, R², pinball loss per quantile and
 * the coverage of the outermost interval (definitions in `metrics.ts`).
 */
import { type Panel, seriesCount } from '../features/panel.js';
import type { CrossValidationResult } from './forecaster.js';
import { type Metrics, scoreForecasts } from './metrics.js';

export interface ModelScores {
  readonly aggregate: Metrics;
  /** One entry per series of the panel that has backtest rows. */
  readonly perSeries: readonly (Metrics & { readonly seriesId: string })[];
}

/**
 * Scores every model of `cv`. MASE scales each series by its in-sample seasonal-naive error
 * (season `season`) over the history before the first cutoff.
 */
export function scoreBacktest(
  cv: CrossValidationResult,
  panel: Panel,
  season: number,
): Record<string, ModelScores> {
  let firstCutoff = Number.POSITIVE_INFINITY;
  for (const c of cv.cutoff) firstCutoff = Math.min(firstCutoff, c);
  const insample = Array.from({ length: seriesCount(panel) }, (_, s) => {
    const a = panel.offsets[s];
    let b = a;
    while (b < panel.offsets[s + 1] && panel.dates[b] <= firstCutoff) b++;
    // Gaps stay in as NaN, so that each value is paired with the one a season before it.
    return panel.y.subarray(a, b);
  });
  const present = new Set(cv.series);
  const out: Record<string, ModelScores> = {};
  for (const [name, model] of Object.entries(cv.models)) {
    const scores = scoreForecasts({
      y: cv.y,
      yhat: model.yhat,
      quantiles: Object.fromEntries(model.quantiles),
      seriesIndex: cv.series,
      insample,
      season,
    });
    out[name] = {
      aggregate: scores.aggregate,
      perSeries: scores.perSeries
        .map((m, s) => ({ ...m, seriesId: panel.seriesIds[s] }))
        .filter((_, s) => present.has(s)),
    };
  }
  return out;
}
