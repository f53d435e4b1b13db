import { describe, expect, it } from 'vitest';
import { dayOfWeek, dayOfYear, formatDay, isoWeek, parseIsoDay, yearFraction } from './dates.js';

describe('dates', () => {
  it('parses and formats ISO days as day numbers since the epoch', () => {
    expect(parseIsoDay('1970-01-01')).toBe(0);
    expect(parseIsoDay('2024-02-29')).toBe(19782);
    expect(formatDay(19782)).toBe('2024-02-29');
    expect(parseIsoDay('2024-02-29T00:00:00Z')).toBe(19782);
  });

  it('formats every day as the ISO calendar does, leap days and century years included', () => {
    const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    const first = -719_528; // 0000-01-01
    const last = parseIsoDay('9999-12-31')!;
    const wrong: number[] = [];
    // Every day from 1800 to 2400, and every 7th day (all weekdays, all months) of the rest.
    const denseFrom = parseIsoDay('1800-01-01')!;
    const denseTo = parseIsoDay('2400-12-31')!;
    for (let day = first; day <= last; day += day >= denseFrom && day <= denseTo ? 1 : 7) {
      if (formatDay(day) !== iso(day)) wrong.push(day);
    }
    expect(wrong).toEqual([]);
    expect(formatDay(last)).toBe('9999-12-31');
    expect(formatDay(first)).toBe('0000-01-01');
    expect(formatDay(parseIsoDay('1900-02-28')! + 1)).toBe('1900-03-01');
    expect(formatDay(parseIsoDay('2000-02-28')! + 1)).toBe('2000-02-29');
    expect(formatDay(-1)).toBe('1969-12-31');
  });

  it('rejects impossible or malformed dates', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-1', 'not-a-date', '', '20240101']) {
      expect(parseIsoDay(bad)).toBeUndefined();
    }
  });

  it('computes ISO weekday, week number and day of year', () => {
    expect(dayOfWeek(parseIsoDay('2024-01-01')!)).toBe(0); // a Monday
    expect(dayOfWeek(parseIsoDay('2024-01-07')!)).toBe(6);
    expect(isoWeek(parseIsoDay('2021-01-03')!)).toBe(53); // belongs to 2020's week 53
    expect(isoWeek(parseIsoDay('2024-12-30')!)).toBe(1);
    expect(dayOfYear(parseIsoDay('2024-12-31')!)).toBe(366);
    expect(yearFraction(parseIsoDay('2023-07-02')!)).toBeCloseTo(182 / 365, 10);
  });
});
