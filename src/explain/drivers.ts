/**
 * Business drivers: the declarative map from model feature names to the drivers a merchant reasons
 * in (price, promotion, seasonality, trend/level, holiday, weather, store, product). Every feature
 * the feature definitions of `src/features` can produce maps to one driver; a custom driver column
 * whose name matches no rule falls into 'other'.
 */

export const DRIVERS = [
  'price',
  'promotion',
  'seasonality',
  'trend',
  'holiday',
  'weather',
  'store',
  'product',
  'other',
] as const;
export type Driver = (typeof DRIVERS)[number];

/** Human labels of the drivers, used by narratives and reports. */
export const DRIVER_LABELS: Readonly<Record<Driver, string>> = {
  price: 'price',
  promotion: 'promotion',
  seasonality: 'seasonality',
  trend: 'trend/level',
  holiday: 'holiday',
  weather: 'weather',
  store: 'store',
  product: 'product',
  other: 'other drivers',
};

interface DriverRule {
  readonly driver: Driver;
  /** Exact feature names. */
  readonly names?: readonly string[];
  readonly pattern?: RegExp;
}

/**
 * The rules, first match wins. Names come from `calendar.ts` (DATE_FEATURES), `lag-features.ts`
 * (`lag<k>` and `lag<k>_<transform>`), `exogenous.ts` (derived price and promotion features,
 * `series_id`) and the driver columns of the consolidated panel (docs/DATA.md).
 */
const RULES: readonly DriverRule[] = [
  // A seasonal rolling mean averages the same weekday over past weeks: it encodes the series'
  // weekday profile, so it is seasonality even though it reads the target.
  { driver: 'seasonality', pattern: /^lag\d+_seasonal_mean_/ },
  { driver: 'trend', pattern: /^lag\d+(_.+)?$/ },
  {
    driver: 'price',
    names: [
      'price',
      'base_price',
      'paid_price',
      'discount_pct',
      'price_rel_base',
      'price_rel_recent',
      'price_change',
      'discount_depth',
    ],
    pattern: /(price|discount)/,
  },
  {
    driver: 'promotion',
    names: ['on_promo', 'promo_type', 'promo_periods_since', 'promo_periods_until'],
    pattern: /promo/,
  },
  {
    driver: 'holiday',
    names: ['holiday', 'days_to_holiday', 'days_since_holiday', 'is_holiday', 'holiday_name'],
    pattern: /holiday/,
  },
  {
    driver: 'seasonality',
    names: [
      'day_of_week',
      'day_of_month',
      'month',
      'week_of_year',
      'day_of_year',
      'year_fraction',
      'year_sin',
      'year_cos',
      'payday',
      'days_to_payday',
      'days_since_payday',
      'is_payday',
    ],
  },
  {
    driver: 'weather',
    names: ['temp_c', 'precip_mm'],
    pattern: /(temp|precip|rain|snow|wind|humid|weather|sun)/,
  },
  {
    driver: 'store',
    names: ['store_id', 'store_type', 'size_sqm', 'region', 'opening_date'],
    pattern: /^store_/,
  },
  {
    // The series identity (store × product) mostly carries the product's sales level, so it is
    // reported with the product attributes rather than split.
    driver: 'product',
    names: ['product_id', 'category', 'department', 'unit_cost', 'series_id'],
    pattern: /^product_/,
  },
];

/** Suffix of target encodings (`target-encoding.ts`): `<column>_target_mean`. */
const TARGET_ENCODING = /_target_mean$/;

/**
 * The driver of feature `name`; 'other' for a custom column no rule recognises. A target encoding
 * belongs to the driver of the column it encodes (`region_target_mean` → store).
 */
export function driverOf(name: string): Driver {
  if (TARGET_ENCODING.test(name)) return driverOf(name.replace(TARGET_ENCODING, ''));
  // A feature renamed to avoid a clash (`month_2`) keeps its original's driver.
  const base = name.replace(/_\d+$/, '');
  for (const candidate of base === name ? [name] : [name, base]) {
    for (const rule of RULES) if (rule.names?.includes(candidate)) return rule.driver;
  }
  for (const rule of RULES) if (rule.pattern?.test(name)) return rule.driver;
  return 'other';
}

/** Driver index (into DRIVERS) of each feature name. */
function driverIndex(names: readonly string[]): Int32Array {
  return Int32Array.from(names, (n) => DRIVERS.indexOf(driverOf(n)));
}

/**
 * Sums row-major per-feature values (nRows × nFeatures) into row-major per-driver values
 * (nRows × DRIVERS.length).
 */
export function groupByDriver(values: Float64Array, names: readonly string[]): Float64Array {
  const p = names.length;
  const nRows = p === 0 ? 0 : values.length / p;
  const index = driverIndex(names);
  const nd = DRIVERS.length;
  const out = new Float64Array(nRows * nd);
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < p; j++) out[i * nd + index[j]] += values[i * p + j];
  }
  return out;
}
