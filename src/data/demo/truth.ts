/**
 * The shape of truth.json: every parameter the demo retailer was generated from, the planted
 * dirty records, the stockout summary and the uncensored demand per series. Tests and later
 * features (elasticity recovery, stockout correction) check their estimates against it.
 */
import type { Frequency } from '../../core/dates.js';
import type { ProductTruth } from './catalog.js';
import type { DirtyRecords } from './dirty-records.js';
import type { REPLENISHMENT } from './inventory-sim.js';
import type { DemoOptions } from './options.js';
import type { PriceChange } from './prices.js';
import type { RegionTruth, StoreTruth } from './stores.js';

/** Version of the truth.json layout; bump it when a key changes meaning. */
export const TRUTH_VERSION = 1;

export interface SeriesTruth {
  readonly store_id: string;
  readonly product_id: string;
  /** First period, `YYYY-MM-DD`. */
  readonly start: string;
  readonly review_period_days: number;
  readonly lead_time_days: number;
  /** Expected demand λ per period (weekly: the sum of daily λ), 3 decimals. */
  readonly expected: number[];
  /** Realised, uncensored demand per period; units sold are min(demand, stock available). */
  readonly demand: number[];
}

export interface StockoutSummary {
  /** Store × product × days simulated. */
  readonly series_days: number;
  /** Days whose end-of-day stock is 0. */
  readonly stockout_days: number;
  readonly stockout_rate: number;
  /** Days on which units sold < demand (demand was censored). */
  readonly censored_days: number;
  readonly censored_rate: number;
  /** Demand not served because of stockouts, in units. */
  readonly lost_units: number;
  /** Output periods whose stock_on_hand is 0 (equals stockout_days in daily mode). */
  readonly stockout_periods: number;
}

export interface DemoTruth {
  readonly truth_version: number;
  /** Version of src/data/schema.ts the source files follow. */
  readonly schema_version: number;
  readonly generator: string;
  readonly seed: number;
  readonly flags: DemoOptions;
  readonly frequency: Frequency;
  readonly window: { first_period: string; last_period: string; periods: number; days_simulated: number };
  readonly model: Record<string, string | number>;
  readonly conventions: Record<string, string>;
  readonly products: (ProductTruth & { price_changes: readonly PriceChange[] })[];
  readonly stores: readonly StoreTruth[];
  readonly regions: readonly RegionTruth[];
  readonly replenishment: typeof REPLENISHMENT;
  readonly stockouts: StockoutSummary;
  readonly dirty_records: DirtyRecords;
  readonly row_counts: Record<string, number>;
  readonly demand: SeriesTruth[];
}
