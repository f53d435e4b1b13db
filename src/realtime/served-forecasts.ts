/**
 * A forecaster's result as served: one entry per requested series with its dated rows, and the
 * NDJSON text of a batch chunk. The request path and the forecast worker threads both use these,
 * so a batch reads the same whether it was computed in process or on a worker.
 */
import { formatDay, parseIsoDay } from '../core/dates.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import { quantileSpread } from './anomaly.js';

/** One series' forecast as served. */
export interface SeriesForecast {
  readonly series_id: string;
  readonly forecasts: { date: string; yhat: number; quantiles: Record<string, number> }[];
}

/** The rows of `seriesIds` in the forecaster output `output` of `result`, in the order asked. */
export function servedForecasts(
  result: ForecastResult,
  output: string,
  seriesIds: readonly string[],
): SeriesForecast[] {
  const out = result.models[output];
  const index = new Map(result.seriesIds.map((id, s) => [id, s]));
  const h = result.h;
  const levels = [...out.quantiles.keys()];
  const columns = levels.map((q) => out.quantiles.get(q)!);
  const labels = levels.map(String);
  // Every series of a batch usually forecasts the same dates: each is formatted once.
  const dates = new Map<number, string>();
  const dateOf = (day: number) => {
    let text = dates.get(day);
    if (text === undefined) {
      text = formatDay(day);
      dates.set(day, text);
    }
    return text;
  };
  return seriesIds.map((id) => {
    const s = index.get(id)!;
    const forecasts = [];
    for (let k = 0; k < h; k++) {
      const i = s * h + k;
      const quantiles: Record<string, number> = {};
      for (let j = 0; j < labels.length; j++) quantiles[labels[j]] = columns[j][i];
      forecasts.push({ date: dateOf(result.dates[i]), yhat: out.yhat[i], quantiles });
    }
    return { series_id: id, forecasts };
  });
}

/**
 * Each series' first forecast period, for the prediction-stream detector: [day number, yhat, the
 * spread its quantiles imply] per series.
 */
export function firstPeriods(forecasts: readonly SeriesForecast[]): Float64Array {
  const out = new Float64Array(3 * forecasts.length);
  forecasts.forEach((s, i) => {
    const first = s.forecasts[0];
    out[3 * i] = parseIsoDay(first.date)!;
    out[3 * i + 1] = first.yhat;
    out[3 * i + 2] = quantileSpread(first.quantiles);
  });
  return out;
}

/** One NDJSON line per series. */
export function ndjsonLines(forecasts: readonly SeriesForecast[]): string {
  let text = '';
  for (const s of forecasts) text += `${JSON.stringify(s)}\n`;
  return text;
}
