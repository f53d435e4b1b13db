/**
 * The demo retailer's calendar: a fixed set of typical public holidays (fixed dates and the
 * Easter-based ones) and paydays (the 15th and the last business day of each month).
 */
import {
  dayFromParts,
  dayOfMonth,
  dayOfWeek,
  daysInMonth,
  easterSunday,
  formatDay,
  yearOf,
} from '../../core/dates.js';
import type { DemoTable } from './table.js';

const FIXED_HOLIDAYS: readonly (readonly [month: number, day: number, name: string])[] = [
  [1, 1, "New Year's Day"],
  [5, 1, 'Labour Day'],
  [12, 25, 'Christmas Day'],
  [12, 26, 'Boxing Day'],
];

const EASTER_HOLIDAYS: readonly (readonly [offset: number, name: string])[] = [
  [-2, 'Good Friday'],
  [1, 'Easter Monday'],
  [39, 'Ascension Day'],
  [50, 'Whit Monday'],
];

/** Holiday names by day number for every year that touches [firstDay, firstDay + nDays). */
export function holidaysBetween(firstDay: number, nDays: number): Map<number, string> {
  const out = new Map<number, string>();
  for (let year = yearOf(firstDay); year <= yearOf(firstDay + nDays - 1); year++) {
    for (const [month, day, name] of FIXED_HOLIDAYS) out.set(dayFromParts(year, month, day), name);
    const easter = easterSunday(year);
    for (const [offset, name] of EASTER_HOLIDAYS) out.set(easter + offset, name);
  }
  return out;
}

/** True on the 15th and on the last Monday–Friday of the month. */
export function isPayday(day: number): boolean {
  if (dayOfMonth(day) === 15) return true;
  let last = day - dayOfMonth(day) + daysInMonth(day);
  while (dayOfWeek(last) >= 5) last--;
  return day === last;
}

export interface DemoCalendar {
  /** 1 on a holiday, else 0, per simulated day. */
  readonly isHoliday: Uint8Array;
  readonly table: DemoTable;
}

/** The calendar source: one row per simulated day, also in weekly mode (its key is a day). */
export function buildCalendar(firstDay: number, nDays: number): DemoCalendar {
  const holidays = holidaysBetween(firstDay, nDays);
  const isHoliday = new Uint8Array(nDays);
  const rows: (string | boolean | null)[][] = [];
  for (let t = 0; t < nDays; t++) {
    const day = firstDay + t;
    const name = holidays.get(day);
    if (name !== undefined) isHoliday[t] = 1;
    rows.push([formatDay(day), name !== undefined, name ?? null, isPayday(day)]);
  }
  return {
    isHoliday,
    table: { source: 'calendar', columns: ['date', 'is_holiday', 'holiday_name', 'is_payday'], rows },
  };
}
