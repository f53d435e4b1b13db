import { describe, expect, it } from 'vitest';
import { formatDay } from '../../core/dates.js';
import { demoWindow, periodStart, sumByPeriod } from './window.js';

describe('demoWindow', () => {
  it('covers exactly the requested days in daily mode', () => {
    const w = demoWindow('2023-01-04', 10, 'day');
    expect(w).toMatchObject({ nDays: 10, nPeriods: 10, periodLength: 1 });
    expect(formatDay(periodStart(w, 9))).toBe('2023-01-13');
  });

  it('moves start back to its Monday and covers whole weeks in weekly mode', () => {
    const w = demoWindow('2023-01-04', 5, 'week');
    expect(formatDay(w.firstDay)).toBe('2023-01-02');
    expect(w).toMatchObject({ nDays: 7, nPeriods: 1, periodLength: 7 });
    // 2023-01-04 (Wed) + 6 days reaches Tuesday 2023-01-10: two weeks.
    expect(demoWindow('2023-01-04', 7, 'week').nPeriods).toBe(2);
    expect(demoWindow('2023-01-02', 7, 'week').nPeriods).toBe(1);
    expect(formatDay(periodStart(demoWindow('2023-01-04', 14, 'week'), 2))).toBe('2023-01-16');
  });

  it('sums days into periods', () => {
    const w = demoWindow('2023-01-02', 14, 'week');
    const daily = Array.from({ length: 14 }, (_, i) => i);
    expect(Array.from(sumByPeriod(w, daily))).toEqual([21, 70]);
    expect(Array.from(sumByPeriod(demoWindow('2023-01-02', 3, 'day'), [4, 5, 6]))).toEqual([4, 5, 6]);
  });
});
