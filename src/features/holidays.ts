/**
 * A built-in retail holiday calendar (United States rules), used when the data carries no holiday
 * column of its own. Dates are computed by rule, so any year works.
 */
import { dayFromParts, dayOfWeek, easterSunday, yearOf } from '../core/dates.js';

/** The n-th `weekday` (Mon = 0) of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = dayFromParts(year, month, 1);
    return first + ((weekday - dayOfWeek(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayFromParts(year, month + 1, 1) - 1;
  return last - ((dayOfWeek(last) - weekday + 7) % 7);
}

/** The retail holidays of `year` as sorted day numbers. */
export function holidaysOfYear(year: number): number[] {
  const thanksgiving = nthWeekday(year, 11, 3, 4);
  return [
    dayFromParts(year, 1, 1), // New Year's Day
    nthWeekday(year, 2, 6, 1), // Super Bowl Sunday (first Sunday of February)
    dayFromParts(year, 2, 14), // Valentine's Day
    easterSunday(year),
    nthWeekday(year, 5, 6, 2), // Mother's Day
    nthWeekday(year, 5, 0, -1), // Memorial Day
    dayFromParts(year, 7, 4), // Independence Day
    nthWeekday(year, 9, 0, 1), // Labor Day
    dayFromParts(year, 10, 31), // Halloween
    thanksgiving,
    thanksgiving + 1, // Black Friday
    dayFromParts(year, 12, 24),
    dayFromParts(year, 12, 25),
    dayFromParts(year, 12, 31),
  ].sort((x, y) => x - y);
}

const cache = new Map<number, number[]>();

function holidaysAround(day: number): number[] {
  const y = yearOf(day);
  let list = cache.get(y);
  if (!list) {
    list = [...holidaysOfYear(y - 1), ...holidaysOfYear(y), ...holidaysOfYear(y + 1)];
    cache.set(y, list);
  }
  return list;
}

/** Days from `day` to the next holiday on or after it (0 on a holiday). */
export function daysToHoliday(day: number): number {
  for (const h of holidaysAround(day)) if (h >= day) return h - day;
  return Number.NaN;
}

/** Days from the last holiday on or before `day` (0 on a holiday). */
export function daysSinceHoliday(day: number): number {
  const list = holidaysAround(day);
  for (let i = list.length - 1; i >= 0; i--) if (list[i] <= day) return day - list[i];
  return Number.NaN;
}

/** Number of holidays in the days `from .. to` inclusive. */
export function holidaysBetween(from: number, to: number): number {
  let n = 0;
  for (const h of holidaysAround(to)) if (h >= from && h <= to) n++;
  return n;
}
