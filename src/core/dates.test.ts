import { describe, expect, it } from 'vitest';
import { dayOfWeek, dayOfYear, formatDay, isoWeek, parseIsoDay, yearFraction } from './dates.js';

describe('dates', () => {
  it('parses and formats ISO days as day numbers since the epoch', () => {
    expect(parseIsoDay('1970-01-01')).toBe(0);
    expect(parseIsoDay('2024-02-29')).toBe(19782);
    expect(formatDay(19782)).toBe('2024-02-29');
    expect(parseIsoDay('2024-02-29T00:00:00Z')).toBe(19782);
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
