import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../core/dates.js';
import { calendarFeatures } from './calendar.js';
import { daysSinceHoliday, daysToHoliday, holidaysOfYear } from './holidays.js';

const d = (iso: string) => parseIsoDay(iso)!;

function values(freq: 'day' | 'week', iso: string): Record<string, number> {
  const defs = calendarFeatures(freq);
  const view = { series: 0, id: 's', freq, dates: Int32Array.of(d(iso)), y: new Float64Array(1), exog: {} };
  const out = new Float64Array(1);
  return Object.fromEntries(
    defs.map((def) => {
      def.compute(view, Int32Array.of(0), out);
      return [def.name, out[0]];
    }),
  );
}

describe('holidays', () => {
  it('places the rule-based holidays on their dates', () => {
    const h2010 = holidaysOfYear(2010);
    for (const iso of ['2010-11-25', '2010-11-26', '2010-09-06', '2010-05-31', '2010-04-04', '2010-02-07']) {
      expect(h2010).toContain(d(iso));
    }
    expect(holidaysOfYear(2024)).toContain(d('2024-11-28'));
  });

  it('measures the distance to the next and from the last holiday', () => {
    expect(daysToHoliday(d('2010-11-20'))).toBe(5);
    expect(daysSinceHoliday(d('2010-11-28'))).toBe(2);
    expect(daysToHoliday(d('2010-12-30'))).toBe(1);
    expect(daysToHoliday(d('2011-01-01'))).toBe(0);
  });
});

describe('calendar features', () => {
  it('describe a day', () => {
    const v = values('day', '2024-03-15'); // a Friday, a payday
    expect(v.day_of_week).toBe(4);
    expect(v.day_of_month).toBe(15);
    expect(v.month).toBe(3);
    expect(v.week_of_year).toBe(11);
    expect(v.day_of_year).toBe(75);
    expect(v.payday).toBe(1);
    expect(v.days_to_payday).toBe(0);
    expect(v.days_since_payday).toBe(0);
    expect(v.year_sin).toBeCloseTo(Math.sin((2 * Math.PI * 74) / 366), 12);
  });

  it('describe the week ending on the date at weekly frequency', () => {
    const v = values('week', '2010-11-26'); // week 2010-11-20 .. 2010-11-26: Thanksgiving and Black Friday
    expect(v.holiday).toBe(2);
    expect(v.payday).toBe(0);
    expect(v).not.toHaveProperty('day_of_week');
    expect(values('week', '2010-12-03').payday).toBe(2); // Nov 30 and Dec 1
  });
});

describe('calendar definitions remember dates', () => {
  it('give the same values from memory as computed fresh, past the memory bound', () => {
    // 5,000 distinct days overflow the 4,096 dates a definition remembers, then the first ones
    // come again.
    const first = d('2015-01-01');
    const days = Int32Array.from({ length: 5000 }, (_, i) => first + i);
    const view = {
      series: 0,
      id: 's',
      freq: 'day' as const,
      dates: days,
      y: new Float64Array(days.length),
      exog: {},
    };
    const at = Int32Array.from(days.keys());
    const reused = calendarFeatures('day');
    for (const def of reused) {
      const a = new Float64Array(days.length);
      const b = new Float64Array(days.length);
      def.compute(view, at, a);
      def.compute(view, at, b);
      const fresh = new Float64Array(days.length);
      calendarFeatures('day', [def.name as never])[0].compute(view, at, fresh);
      expect([...b], def.name).toEqual([...fresh]);
      expect([...a], def.name).toEqual([...fresh]);
    }
  });
});
