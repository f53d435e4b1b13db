import { describe, expect, it } from 'vitest';
import type { SeriesView } from './definition.js';
import {
  ewm,
  lagFeature,
  lagTransformFeature,
  rollingMax,
  rollingMean,
  rollingMin,
  rollingStd,
  seasonalRollingMean,
} from './lag-features.js';

const NaN_ = Number.NaN;

function view(y: number[]): SeriesView {
  return {
    series: 0,
    id: 's',
    freq: 'day',
    dates: new Int32Array(y.length),
    y: Float64Array.from(y),
    exog: {},
  };
}

function at(def: ReturnType<typeof lagFeature>, y: number[], positions: number[]): number[] {
  const out = new Float64Array(positions.length);
  def.compute(view(y), Int32Array.from(positions), out);
  return [...out];
}

describe('lag features', () => {
  const y = [1, 2, NaN_, 4, 5, 6];

  it('lag k reads the value k periods back (NaN before the start)', () => {
    expect(at(lagFeature(1), y, [0, 1, 3, 4])).toEqual([NaN_, 1, NaN_, 4]);
    expect(at(lagFeature(3), y, [2, 3, 5])).toEqual([NaN_, 1, NaN_]);
    expect(lagFeature(7).name).toBe('lag7');
  });

  it('rolling statistics cover the window ending at t − lag, skipping missing values', () => {
    // At t = 5, lag 1, window 3: y[2..4] = NaN, 4, 5.
    expect(at(lagTransformFeature(1, rollingMean(3)), y, [5])).toEqual([4.5]);
    expect(at(lagTransformFeature(1, rollingMin(3)), y, [5])).toEqual([4]);
    expect(at(lagTransformFeature(1, rollingMax(3)), y, [5])).toEqual([5]);
    expect(at(lagTransformFeature(1, rollingStd(3)), y, [5])[0]).toBeCloseTo(Math.SQRT1_2, 12);
    // At t = 4, lag 2, window 2: y[1..2] = 2, NaN.
    expect(at(lagTransformFeature(2, rollingMean(2)), y, [4])).toEqual([2]);
    expect(at(lagTransformFeature(1, rollingMean(3)), y, [0])).toEqual([NaN_]);
    expect(lagTransformFeature(7, rollingMean(28)).name).toBe('lag7_rolling_mean_28');
  });

  it('ewm follows s = α·y + (1 − α)·s from the first observation, whatever positions are asked', () => {
    const def = lagTransformFeature(1, ewm(0.5));
    // s: 1 → 1.5 → (NaN skipped) 1.5 → 2.75 → 3.875
    expect(at(def, y, [1, 2, 3, 4, 5])).toEqual([1, 1.5, 1.5, 2.75, 3.875]);
    expect(at(def, y, [5])).toEqual([3.875]);
    expect(def.name).toBe('lag1_ewm_0.5');
    expect(() => ewm(0)).toThrow(RangeError);
  });

  it('the seasonal mean averages the same season position over past cycles', () => {
    const weekly = Array.from({ length: 21 }, (_, t) => (t % 7) * 10 + Math.floor(t / 7));
    // t = 14 (weekday 0), lag 7, 2 cycles: y[7] = 1 and y[0] = 0.
    expect(at(lagTransformFeature(7, seasonalRollingMean(7, 2)), weekly, [14])).toEqual([0.5]);
    expect(at(lagTransformFeature(7, seasonalRollingMean(7, 4)), weekly, [17])).toEqual([30.5]);
  });
});
