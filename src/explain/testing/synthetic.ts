/**
 * Test support: hand-made histories and contributions with known answers, for the arithmetic of
 * segment analysis and change attribution.
 */
import { buildPanel, type Panel } from '../../features/panel.js';
import type { Contributions } from '../contributions.js';
import { DRIVERS, type Driver } from '../drivers.js';

export interface SyntheticSeries {
  readonly id: string;
  /** Observed units per day from day `start`. */
  readonly y: readonly number[];
  /** Model prediction per day (default: y). */
  readonly fitted?: readonly number[];
  /** Contribution per driver per day; the rest of fitted − base goes to trend. */
  readonly drivers?: Partial<Record<Driver, readonly number[]>>;
  readonly base?: number;
  readonly exog?: Readonly<Record<string, readonly number[]>>;
}

/** A daily panel and in-sample contributions of every row, from `series` starting on day `start`. */
export function syntheticHistory(
  series: readonly SyntheticSeries[],
  start: number,
): { history: Panel; contributions: Contributions } {
  const seriesId = series.flatMap((s) => s.y.map(() => s.id));
  const date = series.flatMap((s) => s.y.map((_, t) => start + t));
  const y = series.flatMap((s) => [...s.y]);
  const exogNames = new Set(series.flatMap((s) => Object.keys(s.exog ?? {})));
  const exog: Record<string, number[]> = {};
  for (const name of exogNames)
    exog[name] = series.flatMap((s) => (s.exog?.[name] ? [...s.exog[name]] : s.y.map(() => Number.NaN)));
  const history = buildPanel({ seriesId, date, y, exog }, { freq: 'day' });
  const n = y.length;
  const nd = DRIVERS.length;
  const prediction = new Float64Array(n);
  const base = new Float64Array(n);
  const byDriver = new Float64Array(n * nd);
  const seriesIndex = new Int32Array(n);
  let i = 0;
  series.forEach((s, k) => {
    s.y.forEach((v, t) => {
      const fitted = s.fitted?.[t] ?? v;
      prediction[i] = fitted;
      base[i] = s.base ?? 0;
      seriesIndex[i] = k;
      let rest = fitted - base[i];
      for (const [driver, values] of Object.entries(s.drivers ?? {})) {
        byDriver[i * nd + DRIVERS.indexOf(driver as Driver)] = values[t];
        rest -= values[t];
      }
      byDriver[i * nd + DRIVERS.indexOf('trend')] += rest;
      i++;
    });
  });
  const contributions: Contributions = {
    seriesIds: history.seriesIds,
    series: seriesIndex,
    dates: Int32Array.from(date),
    prediction,
    base,
    featureNames: [...DRIVERS],
    values: byDriver,
    byDriver,
    link: 'identity',
    rawByDriver: byDriver,
    maxAdditivityError: 0,
  };
  return { history, contributions };
}
