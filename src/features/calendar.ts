/**
 * Calendar features: functions of the date alone, so they are known for any future period.
 * A daily row covers its own day; a weekly row covers the seven days ending on its date (the
 * week-ending convention of retail sales data), so holiday and payday features count what falls
 * inside that week.
 */
import {
  dayOfMonth,
  dayOfWeek,
  dayOfYear,
  daysInMonth,
  type Frequency,
  isoWeek,
  monthOf,
  periodDays,
  yearFraction,
} from '../core/dates.js';
import type { FeatureDefinition } from './definition.js';
import { daysSinceHoliday, daysToHoliday, holidaysBetween } from './holidays.js';

/** Names of the calendar features, in the order `calendarFeatures` returns them. */
export const DATE_FEATURES = [
  'day_of_week',
  'day_of_month',
  'month',
  'week_of_year',
  'day_of_year',
  'year_fraction',
  'year_sin',
  'year_cos',
  'holiday',
  'days_to_holiday',
  'days_since_holiday',
  'payday',
  'days_to_payday',
  'days_since_payday',
] as const;
export type DateFeature = (typeof DATE_FEATURES)[number];

/** Day features that carry no information at weekly frequency (one fixed weekday per series). */
const DAILY_ONLY: ReadonlySet<DateFeature> = new Set(['day_of_week', 'day_of_month']);

/** Distances are capped so that far-away events look alike. */
const MAX_DISTANCE = 60;

type DayFn = (first: number, last: number) => number;

/**
 * The value of each calendar feature for a period covering days `first .. last`.
 * Paydays are the 1st, the 15th and the last day of a month.
 */
const DEFINITIONS: Record<DateFeature, { categorical: boolean; fn: DayFn }> = {
  day_of_week: { categorical: false, fn: (_f, l) => dayOfWeek(l) },
  day_of_month: { categorical: false, fn: (_f, l) => dayOfMonth(l) },
  month: { categorical: false, fn: (_f, l) => monthOf(l) },
  week_of_year: { categorical: false, fn: (_f, l) => isoWeek(l) },
  day_of_year: { categorical: false, fn: (_f, l) => dayOfYear(l) },
  year_fraction: { categorical: false, fn: (_f, l) => yearFraction(l) },
  year_sin: { categorical: false, fn: (_f, l) => Math.sin(2 * Math.PI * yearFraction(l)) },
  year_cos: { categorical: false, fn: (_f, l) => Math.cos(2 * Math.PI * yearFraction(l)) },
  holiday: { categorical: false, fn: (f, l) => holidaysBetween(f, l) },
  days_to_holiday: { categorical: false, fn: (f) => Math.min(MAX_DISTANCE, daysToHoliday(f)) },
  days_since_holiday: { categorical: false, fn: (_f, l) => Math.min(MAX_DISTANCE, daysSinceHoliday(l)) },
  payday: { categorical: false, fn: (f, l) => paydaysBetween(f, l) },
  days_to_payday: { categorical: false, fn: (f) => daysToPayday(f) },
  days_since_payday: { categorical: false, fn: (_f, l) => daysSincePayday(l) },
};

function isPayday(day: number): boolean {
  const d = dayOfMonth(day);
  return d === 1 || d === 15 || d === daysInMonth(day);
}

function paydaysBetween(first: number, last: number): number {
  let n = 0;
  for (let d = first; d <= last; d++) if (isPayday(d)) n++;
  return n;
}

function daysToPayday(day: number): number {
  let k = 0;
  while (!isPayday(day + k)) k++;
  return k;
}

function daysSincePayday(day: number): number {
  let k = 0;
  while (!isPayday(day - k)) k++;
  return k;
}

/**
 * The calendar features named in `names` (default: all that make sense at `freq`), as definitions.
 */
export function calendarFeatures(freq: Frequency, names?: readonly DateFeature[]): FeatureDefinition[] {
  const chosen = names ?? DATE_FEATURES.filter((n) => freq === 'day' || !DAILY_ONLY.has(n));
  const span = periodDays(freq) - 1;
  return chosen.map((name) => {
    const { categorical, fn } = DEFINITIONS[name];
    // A value depends on the date alone, and every series of a panel or a batch forecast walks the
    // same dates: remembering them removed 45% of a 121-series batch forecast's CPU time, most of
    // it payday searches that build a Date per day tried.
    const memo = new Map<number, number>();
    return {
      name,
      categorical,
      minLag: Number.POSITIVE_INFINITY,
      compute(series, at, out) {
        for (let k = 0; k < at.length; k++) {
          const last = series.dates[at[k]];
          let value = memo.get(last);
          if (value === undefined) {
            value = fn(last - span, last);
            if (memo.size >= MEMO_DATES) memo.clear();
            memo.set(last, value);
          }
          out[k] = value;
        }
      },
    };
  });
}

/** Dates remembered per feature: about 11 years of days, a few kilobytes of memory. */
const MEMO_DATES = 4096;

export function isDateFeature(name: string): name is DateFeature {
  return (DATE_FEATURES as readonly string[]).includes(name);
}
