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

/** Formats a day number as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
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

export type Frequency = 'day' | 'week';

/** Length of one period in days. */
export function periodDays(freq: Frequency): number {
  return freq === 'week' ? 7 : 1;
}
