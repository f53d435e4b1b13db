/**
 * The simulated time window. Demand is always simulated per day; weekly output sums whole
 * Monday-to-Sunday weeks, so the daily window is widened to whole weeks in weekly mode.
 */
import { dayOfWeek, type Frequency, parseIsoDay, periodDays, yearFraction } from '../../core/dates.js';

export interface DemoWindow {
  readonly freq: Frequency;
  /** First simulated day (a Monday in weekly mode). */
  readonly firstDay: number;
  /** Number of simulated days (a multiple of 7 in weekly mode). */
  readonly nDays: number;
  /** Number of output periods: days, or weeks. */
  readonly nPeriods: number;
  /** Days per period: 1 or 7. */
  readonly periodLength: number;
}

/**
 * Daily: `days` days from `start`. Weekly: the weeks (starting on Mondays) that hold any of the
 * `days` days from `start`, so `start` moves back to its Monday and the last week is complete.
 */
export function demoWindow(start: string, days: number, freq: Frequency): DemoWindow {
  const startDay = parseIsoDay(start);
  if (startDay === undefined) throw new RangeError(`not a date: ${start}`);
  const periodLength = periodDays(freq);
  if (freq === 'day') return { freq, firstDay: startDay, nDays: days, nPeriods: days, periodLength };
  const firstDay = startDay - dayOfWeek(startDay);
  const nPeriods = Math.ceil((startDay + days - firstDay) / 7);
  return { freq, firstDay, nDays: nPeriods * 7, nPeriods, periodLength };
}

/** First day of period `period`. */
export function periodStart(window: DemoWindow, period: number): number {
  return window.firstDay + period * window.periodLength;
}

/** Per-period sums of a per-day series (the identity in daily mode, weekly totals otherwise). */
export function sumByPeriod(window: DemoWindow, daily: ArrayLike<number>): Float64Array {
  const out = new Float64Array(window.nPeriods);
  for (let t = 0; t < window.nDays; t++) out[Math.floor(t / window.periodLength)] += daily[t];
  return out;
}

export interface DayFeatures {
  /** ISO day of week (Monday = 0) per simulated day. */
  readonly dayOfWeek: Uint8Array;
  /** Position within the year, [0, 1), per simulated day. */
  readonly yearFraction: Float64Array;
}

/** Calendar features of every simulated day, computed once instead of once per series. */
export function dayFeatures(window: DemoWindow): DayFeatures {
  const dow = new Uint8Array(window.nDays);
  const fraction = new Float64Array(window.nDays);
  for (let t = 0; t < window.nDays; t++) {
    dow[t] = dayOfWeek(window.firstDay + t);
    fraction[t] = yearFraction(window.firstDay + t);
  }
  return { dayOfWeek: dow, yearFraction: fraction };
}
