import { describe, expect, it } from 'vitest';
import { easterSunday, formatDay, parseIsoDay } from '../../core/dates.js';
import { buildCalendar, holidaysBetween, isPayday } from './calendar.js';

const day = (iso: string) => parseIsoDay(iso)!;

describe('easterSunday', () => {
  it.each([
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2023, '2023-04-09'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2038, '2038-04-25'],
  ])('puts Easter %i on %s', (year, iso) => {
    expect(formatDay(easterSunday(year))).toBe(iso);
  });
});

describe('holidaysBetween', () => {
  it('holds the fixed and the Easter-based holidays of every year in the window', () => {
    const holidays = holidaysBetween(day('2023-06-01'), 365);
    expect(holidays.get(day('2024-01-01'))).toBe("New Year's Day");
    expect(holidays.get(day('2024-04-01'))).toBe('Easter Monday');
    expect(holidays.get(day('2024-03-29'))).toBe('Good Friday');
    expect(holidays.get(day('2023-12-26'))).toBe('Boxing Day');
    expect(holidays.get(day('2023-04-10'))).toBe('Easter Monday');
    expect(holidays.has(day('2023-12-27'))).toBe(false);
  });
});

describe('isPayday', () => {
  it('is the 15th and the last business day of the month', () => {
    expect(isPayday(day('2023-09-15'))).toBe(true);
    // 2023-09-30 is a Saturday, so the last business day is Friday the 29th.
    expect(isPayday(day('2023-09-29'))).toBe(true);
    expect(isPayday(day('2023-09-30'))).toBe(false);
    expect(isPayday(day('2023-10-31'))).toBe(true);
    expect(isPayday(day('2023-10-30'))).toBe(false);
    expect(isPayday(day('2023-10-16'))).toBe(false);
  });
});

describe('buildCalendar', () => {
  it('has one row per day with holiday names only on holidays', () => {
    const { table, isHoliday } = buildCalendar(day('2023-12-24'), 10);
    expect(table.columns).toEqual(['date', 'is_holiday', 'holiday_name', 'is_payday']);
    expect(table.rows.map((r) => r[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => formatDay(day('2023-12-24') + i)),
    );
    expect(table.rows[1]).toEqual(['2023-12-25', true, 'Christmas Day', false]);
    expect(table.rows[0]).toEqual(['2023-12-24', false, null, false]);
    expect(table.rows[7]).toEqual(['2023-12-31', false, null, false]);
    expect(table.rows[5]).toEqual(['2023-12-29', false, null, true]);
    expect(Array.from(isHoliday)).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1, 0]);
  });
});
