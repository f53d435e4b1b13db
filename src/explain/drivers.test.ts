import { describe, expect, test } from 'vitest';
import { generateDemoRetailer } from '../data/demo/generate.js';
import { DATE_FEATURES } from '../features/calendar.js';
import { buildFeatureSet } from '../features/feature-set.js';
import { DRIVERS, driverOf, groupByDriver } from './drivers.js';
import { demoPanel } from './testing/demo-panel.js';

describe('driverOf', () => {
  test.each([
    ['lag1', 'trend'],
    ['lag7_rolling_mean_28', 'trend'],
    ['lag1_ewm_0.1', 'trend'],
    ['lag1_seasonal_mean_7x4', 'seasonality'],
    ['day_of_week', 'seasonality'],
    ['year_sin', 'seasonality'],
    ['holiday', 'holiday'],
    ['days_to_holiday', 'holiday'],
    ['is_holiday', 'holiday'],
    ['discount_pct', 'price'],
    ['price_rel_recent', 'price'],
    ['on_promo', 'promotion'],
    ['promo_periods_until', 'promotion'],
    ['temp_c', 'weather'],
    ['region', 'store'],
    ['size_sqm', 'store'],
    ['category', 'product'],
    ['series_id', 'product'],
    ['month_2', 'seasonality'],
    ['region_target_mean', 'store'],
    ['category_target_mean', 'product'],
    ['promo_type_target_mean', 'promotion'],
    ['loyalty_points', 'other'],
  ])('%s → %s', (name, driver) => {
    expect(driverOf(name)).toBe(driver);
  });

  test('every feature of a demo-data forecaster, daily and weekly, maps to a business driver', () => {
    const panel = demoPanel(generateDemoRetailer({ stores: 1, products: 2, days: 60, seed: 3 }));
    const names = new Set<string>();
    for (const freq of ['day', 'week'] as const) {
      for (const minLag of [1, 14]) {
        for (const d of buildFeatureSet({ ...panel, freq }, {}, minLag)) names.add(d.name);
      }
    }
    for (const n of DATE_FEATURES) names.add(n);
    // The demo panel carries every driver column of the consolidated panel.
    expect(names.has('promo_type') && names.has('precip_mm') && names.has('department')).toBe(true);
    const unmapped = [...names].filter((n) => driverOf(n) === 'other');
    expect(unmapped).toEqual([]);
    const used = new Set([...names].map(driverOf));
    expect([...used].sort()).toEqual(DRIVERS.filter((d) => d !== 'other').sort());
  });
});

test('groupByDriver sums feature values per driver, row by row', () => {
  const names = ['lag1', 'discount_pct', 'lag7', 'on_promo'];
  const values = Float64Array.of(1, 2, 3, 4, -1, -2, -3, -4);
  const out = groupByDriver(values, names);
  const nd = DRIVERS.length;
  expect(out[DRIVERS.indexOf('trend')]).toBe(4);
  expect(out[DRIVERS.indexOf('price')]).toBe(2);
  expect(out[DRIVERS.indexOf('promotion')]).toBe(4);
  expect(out[nd + DRIVERS.indexOf('trend')]).toBe(-4);
  expect(out.reduce((a, b) => a + b, 0)).toBe(0);
});
