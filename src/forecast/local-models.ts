/**
 * Per-series models (baselines and statistical models) behind the ForecastModel interface. Each
 * reads a series' history from the timeline at predict time and forecasts it alone, through the
 * per-series functions of `baselines.ts` and `statistical.ts`.
 */
import { NotFittedError } from '../core/errors.js';
import type { Panel } from '../features/panel.js';
import { movingAverage, seasonalNaive } from './baselines.js';
import type { ForecastModel, ModelForecast } from './model.js';
import { historyLength } from './model.js';
import type { SeriesForecast } from './series-forecast.js';
import { fitPredictAutoEts, fitPredictMstl } from './statistical.js';

type SeriesFn = (y: Float64Array, h: number) => SeriesForecast;

function localModel(
  name: string,
  kind: string,
  config: Record<string, unknown>,
  fn: SeriesFn,
): ForecastModel {
  let fitted = false;
  return {
    name,
    fit() {
      fitted = true;
    },
    predict(timeline: Panel, h: number): ModelForecast {
      if (!fitted) throw new NotFittedError(name);
      const nSeries = timeline.seriesIds.length;
      const yhat = new Float64Array(nSeries * h);
      for (let s = 0; s < nSeries; s++) {
        const a = timeline.offsets[s];
        const history = timeline.y.subarray(a, a + historyLength(timeline, s, h));
        yhat.set(hasObservation(history) ? fn(history, h).mean : new Float64Array(h), s * h);
      }
      return { yhat };
    },
    serialize: () => ({ kind, config }),
  };
}

function hasObservation(y: Float64Array): boolean {
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i])) return true;
  return false;
}

/** Seasonal naive: repeats the last observed season. */
export function seasonalNaiveModel(season: number): ForecastModel {
  return localModel('SeasonalNaive', 'seasonal-naive', { season }, (y, h) => seasonalNaive(y, h, season));
}

/** Moving average of the last `window` observations, repeated. */
export function movingAverageModel(window: number): ForecastModel {
  return localModel('MovingAverage', 'moving-average', { window }, (y, h) => movingAverage(y, h, window));
}

/**
 * Automatic ETS per series, seasonal through STL when `season` > 1 (R's stlf), fitted on each
 * series' last `window` periods when given (the global models' training window).
 */
export function autoEtsModel(season: number, window?: number): ForecastModel {
  return localModel('AutoETS', 'auto-ets', window === undefined ? { season } : { season, window }, (y, h) =>
    fitPredictAutoEts(
      window === undefined || y.length <= window ? y : y.subarray(y.length - window),
      h,
      season,
      [],
    ),
  );
}

/** MSTL with an AutoETS trend per series, for several seasonal periods (e.g. [7, 365]). */
export function mstlModel(periods: readonly number[]): ForecastModel {
  return localModel('MSTL', 'mstl', { periods: [...periods] }, (y, h) => fitPredictMstl(y, h, periods, []));
}

/** Restores a per-series model from its serialized kind and config. */
export function localModelFromConfig(
  kind: string,
  config: Readonly<Record<string, unknown>>,
): ForecastModel | undefined {
  switch (kind) {
    case 'seasonal-naive':
      return seasonalNaiveModel(Number(config.season));
    case 'moving-average':
      return movingAverageModel(Number(config.window));
    case 'auto-ets':
      return autoEtsModel(
        Number(config.season),
        config.window === undefined ? undefined : Number(config.window),
      );
    case 'mstl':
      return mstlModel((config.periods as number[]).map(Number));
    default:
      return undefined;
  }
}
