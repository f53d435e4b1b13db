/**
 * Dates as integer day numbers (days since 1970-01-01, UTC). Panels store days, not Date objects,
 * so that date arithmetic is exact and arrays stay numeric.
 */

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]00:?00)?)?$/;

/** Parses `YYYY-MM-DD` (optionally with a midnight UTC time part) to a day number, or undefined. */
export function parseIsoDay(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms / MS_PER_DAY;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Formats a day number of the years 0000–9999 as `YYYY-MM-DD`, by civil-calendar arithmetic
 * (H. Hinnant's days-to-civil): a forecast answer formats every date it serves, and
 * `Date#toISOString` cost about ten times as much.
 */
export function formatDay(day: number): string {
  // Shift the epoch to 0000-03-01, so that each 400-year era ends with the leap day.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March … 11 = February
  const d = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const m = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0);
  return `${TWO_DIGITS[Math.floor(y / 100)]}${TWO_DIGITS[y % 100]}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** Day of week, ISO: Monday = 0 … Sunday = 6. */
export function dayOfWeek(day: number): number {
  // 1970-01-01 was a Thursday (ISO index 3).
  return (((day + 3) % 7) + 7) % 7;
}

export function dayToDate(day: number): Date {
  return new Date(day * MS_PER_DAY);
}

/** Month, 1–12. */
export function monthOf(day: number): number {
  return dayToDate(day).getUTCMonth() + 1;
}

export function yearOf(day: number): number {
  return dayToDate(day).getUTCFullYear();
}

/** Day of month, 1–31. */
export function dayOfMonth(day: number): number {
  return dayToDate(day).getUTCDate();
}

/** Day of year, 1–366. */
export function dayOfYear(day: number): number {
  const d = dayToDate(day);
  return day - Date.UTC(d.getUTCFullYear(), 0, 1) / MS_PER_DAY + 1;
}

/** Number of days in the month holding `day`. */
export function daysInMonth(day: number): number {
  const d = dayToDate(day);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

/** ISO 8601 week number, 1–53. */
export function isoWeek(day: number): number {
  const dow = dayOfWeek(day);
  const thursday = day - dow + 3;
  const jan1 = Date.UTC(yearOf(thursday), 0, 1) / MS_PER_DAY;
  return Math.floor((thursday - jan1) / 7) + 1;
}

/** Position within the year in [0, 1). */
export function yearFraction(day: number): number {
  const y = yearOf(day);
  const start = Date.UTC(y, 0, 1) / MS_PER_DAY;
  const end = Date.UTC(y + 1, 0, 1) / MS_PER_DAY;
  return (day - start) / (end - start);
}

/** Day number of the given calendar date. */
export function dayFromParts(year: number, month: number, dayOfMonthValue: number): number {
  return Date.UTC(year, month - 1, dayOfMonthValue) / MS_PER_DAY;
}

/** Easter Sunday of `year` (Gregorian), as a day number: the anonymous Gregorian algorithm. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayFromParts(year, month, day);
}

export type Frequency = 'day' | 'week';

/** Length of one period in days. */
export function periodDays(freq: Frequency): number {
  return freq === 'week' ? 7 : 1;
}
