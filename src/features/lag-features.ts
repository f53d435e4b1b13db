/**
 * Target lags and lag transforms (mlforecast's `lags` and `lag_transforms`). A transform is a spec
 * object (`rollingMean(28)`, `ewm(0.3)`, …) applied to the target lagged by `lag` periods; the
 * feature at position `t` summarises `y[.. t - lag]`, so it never reads `y[t]` or anything later.
 * Feature names derive from the specs: `lag7`, `lag7_rolling_mean_28`, `lag28_ewm_0.3`.
 */
import type { FeatureDefinition, SeriesView } from './definition.js';

/** The JSON form of a lag transform: its constructor and arguments. */
export interface LagTransformSpec {
  readonly kind: 'rolling_mean' | 'rolling_std' | 'rolling_min' | 'rolling_max' | 'seasonal_mean' | 'ewm';
  readonly args: readonly number[];
}

/** A statistic of the target over the window ending (exclusively) at `end`. */
export interface LagTransform {
  /** Name suffix, e.g. `rolling_mean_28`. */
  readonly name: string;
  readonly spec: LagTransformSpec;
  /**
   * `out[k]` = the statistic of `y[.. ends[k] - 1]` (ends ascending). NaN when the window has no
   * observed value.
   */
  apply(y: Float64Array, ends: Int32Array, out: Float64Array): void;
}

/** Mean of the observed values among the last `window` periods. */
export function rollingMean(window: number): LagTransform {
  return windowStat('rolling_mean', window, (sum, _sq, _min, _max, n) => sum / n);
}

/** Sample standard deviation of the observed values among the last `window` periods. */
export function rollingStd(window: number): LagTransform {
  return windowStat('rolling_std', window, (sum, sq, _min, _max, n) =>
    n < 2 ? Number.NaN : Math.sqrt(Math.max(0, (sq - (sum * sum) / n) / (n - 1))),
  );
}

export function rollingMin(window: number): LagTransform {
  return windowStat('rolling_min', window, (_s, _q, min) => min);
}

export function rollingMax(window: number): LagTransform {
  return windowStat('rolling_max', window, (_s, _q, _min, max) => max);
}

/**
 * Mean of the values one, two, … `count` seasons back (positions `end-1`, `end-1-season`, …): a
 * leakage-free target encoding of the series × season position (e.g. of weekday for season 7).
 */
export function seasonalRollingMean(season: number, count: number): LagTransform {
  return {
    name: `seasonal_mean_${season}x${count}`,
    spec: { kind: 'seasonal_mean', args: [season, count] },
    apply(y, ends, out) {
      for (let k = 0; k < ends.length; k++) {
        let sum = 0;
        let n = 0;
        for (let j = 0, p = ends[k] - 1; j < count && p >= 0; j++, p -= season) {
          const v = y[p];
          if (!Number.isNaN(v)) {
            sum += v;
            n++;
          }
        }
        out[k] = n > 0 ? sum / n : Number.NaN;
      }
    },
  };
}

/**
 * Exponentially weighted mean with smoothing `alpha` in (0, 1]: s = alpha·y + (1 − alpha)·s over
 * observed values, starting at the first one. The recursion always runs from the start of the series
 * so any set of `ends` gives bit-identical values (batch and online agree).
 */
export function ewm(alpha: number): LagTransform {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`ewm alpha must be in (0, 1]; got ${alpha}`);
  return {
    name: `ewm_${alpha}`,
    spec: { kind: 'ewm', args: [alpha] },
    apply(y, ends, out) {
      let s = Number.NaN;
      let p = 0;
      for (let k = 0; k < ends.length; k++) {
        const end = Math.min(ends[k], y.length);
        for (; p < end; p++) {
          const v = y[p];
          if (!Number.isNaN(v)) s = !Number.isNaN(s) ? alpha * v + (1 - alpha) * s : v;
        }
        out[k] = ends[k] <= 0 ? Number.NaN : s;
      }
    },
  };
}

type Reducer = (sum: number, sumSq: number, min: number, max: number, n: number) => number;

function windowStat(
  kind: 'rolling_mean' | 'rolling_std' | 'rolling_min' | 'rolling_max',
  window: number,
  reduce: Reducer,
): LagTransform {
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`window must be a positive integer`);
  return {
    name: `${kind}_${window}`,
    spec: { kind, args: [window] },
    apply(y, ends, out) {
      for (let k = 0; k < ends.length; k++) {
        const end = Math.min(ends[k], y.length);
        let sum = 0;
        let sq = 0;
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        let n = 0;
        for (let p = Math.max(0, end - window); p < end; p++) {
          const v = y[p];
          if (!Number.isNaN(v)) {
            sum += v;
            sq += v * v;
            if (v < min) min = v;
            if (v > max) max = v;
            n++;
          }
        }
        out[k] = n > 0 ? reduce(sum, sq, min, max, n) : Number.NaN;
      }
    },
  };
}

/** Rebuilds a lag transform from its spec. */
export function lagTransformFromSpec(spec: LagTransformSpec): LagTransform {
  const [a, b] = spec.args;
  switch (spec.kind) {
    case 'rolling_mean':
      return rollingMean(a);
    case 'rolling_std':
      return rollingStd(a);
    case 'rolling_min':
      return rollingMin(a);
    case 'rolling_max':
      return rollingMax(a);
    case 'seasonal_mean':
      return seasonalRollingMean(a, b);
    case 'ewm':
      return ewm(a);
  }
}

/** The target `lag` periods back. */
export function lagFeature(lag: number): FeatureDefinition {
  checkLag(lag);
  return {
    name: `lag${lag}`,
    categorical: false,
    minLag: lag,
    compute(series: SeriesView, at, out) {
      for (let k = 0; k < at.length; k++) {
        const p = at[k] - lag;
        out[k] = p >= 0 && p < series.y.length ? series.y[p] : Number.NaN;
      }
    },
  };
}

/**
 * `transform` applied to the target lagged by `lag`: its window ends at `t - lag` inclusive. With
 * `column`, it applies to that driver instead: a past-only driver such as a stockout flag, known for
 * the history but not for the future, is read with the same lag discipline as the target.
 */
export function lagTransformFeature(
  lag: number,
  transform: LagTransform,
  column?: string,
): FeatureDefinition {
  checkLag(lag);
  return {
    name: `${column ? `${column}_` : ''}lag${lag}_${transform.name}`,
    categorical: false,
    minLag: lag,
    compute(series, at, out) {
      const ends = new Int32Array(at.length);
      for (let k = 0; k < at.length; k++) ends[k] = at[k] - lag + 1;
      const values = column === undefined ? series.y : series.exog[column];
      if (values === undefined) out.fill(Number.NaN, 0, at.length);
      else transform.apply(values, ends, out);
    },
  };
}

function checkLag(lag: number): void {
  if (!(Number.isInteger(lag) && lag >= 1)) throw new RangeError(`lags must be integers ≥ 1; got ${lag}`);
}
