/**
 * The demo retailer: eight source tables generated from a known causal model, plus the truth they
 * came from. Pure and deterministic: the same options give the same tables, with all randomness
 * drawn from `createRng(seed)` and its forks (one fork per component, so adding draws to one
 * component does not reshuffle the others).
 */
import { formatDay, parseIsoDay } from '../../core/dates.js';
import { createRng } from '../../core/rng.js';
import { SCHEMA_VERSION, type SourceName } from '../schema.js';
import { buildCalendar } from './calendar.js';
import { buildProducts, productId } from './catalog.js';
import { type DemandDrivers, drawDemand, expectedDemand, OVERDISPERSION_SHAPE } from './demand-model.js';
import { plantDirtyRecords } from './dirty-records.js';
import { REPLENISHMENT, simulateInventory } from './inventory-sim.js';
import { type DemoOptions, resolveDemoOptions } from './options.js';
import { pricesTable, simulatePrices } from './prices.js';
import { promotionsTable, simulatePromotions } from './promotions.js';
import { buildRegions, buildStores } from './stores.js';
import { type Cell, type DemoTable, roundTo } from './table.js';
import { type DemoTruth, type SeriesTruth, TRUTH_VERSION } from './truth.js';
import { simulateWeather, weatherTable } from './weather.js';
import { dayFeatures, demoWindow, periodStart, sumByPeriod } from './window.js';

export interface DemoRetailer {
  readonly options: DemoOptions;
  /** The eight sources, columns as in `SOURCES`, rows in a stable order. */
  readonly tables: Readonly<Record<SourceName, DemoTable>>;
  readonly truth: DemoTruth;
}

/** Per-period outcome of one store × product series. */
interface SeriesOutcome {
  readonly units: Float64Array;
  readonly revenue: Float64Array;
  readonly stockOnHand: Int32Array;
  readonly receipts: Float64Array;
}

export const GENERATOR_NAME = 'salescast demo-data';

/**
 * Generates the demo retailer for `options` (defaults: 5 stores, 12 products, 730 days from
 * 2023-01-02, daily, seed 42). `onProgress(done, total)` is called after each simulated series.
 * Throws `SalescastError('INVALID_ARGUMENT')` for options out of range.
 */
export function generateDemoRetailer(
  options: Partial<DemoOptions> = {},
  onProgress?: (done: number, total: number) => void,
): DemoRetailer {
  const opts = resolveDemoOptions(options);
  const window = demoWindow(opts.start, opts.days, opts.freq);
  const root = createRng(opts.seed);
  const rng = {
    catalog: root.fork(),
    stores: root.fork(),
    weather: root.fork(),
    prices: root.fork(),
    promotions: root.fork(),
    demand: root.fork(),
    inventory: root.fork(),
    dirty: root.fork(),
  };

  const products = buildProducts(rng.catalog, opts.products);
  const regions = buildRegions(opts.stores);
  const stores = buildStores(rng.stores, opts.stores, regions, window.firstDay);
  const storeIds = stores.map((s) => s.store_id);
  const calendar = buildCalendar(window.firstDay, window.nDays);
  const weather = simulateWeather(rng.weather, regions, window);
  const prices = simulatePrices(rng.prices, products, stores.length, window);
  const promos = simulatePromotions(rng.promotions, products, stores.length, window);
  const drivers: DemandDrivers = {
    window,
    days: dayFeatures(window),
    products,
    stores,
    regions,
    isHoliday: calendar.isHoliday,
    weather,
    prices,
    promoLift: promos.lift,
  };

  const outcomes: SeriesOutcome[] = [];
  const demandTruth: SeriesTruth[] = [];
  let stockoutDays = 0;
  let censoredDays = 0;
  let lostUnits = 0;
  let stockoutPeriods = 0;
  const nSeries = stores.length * products.length;
  for (let s = 0; s < stores.length; s++) {
    for (let j = 0; j < products.length; j++) {
      const series = s * products.length + j;
      const { expected, weatherFactor } = expectedDemand(drivers, s, j);
      const brk = opts.demandBreak;
      if (brk && j < (brk.products ?? 1)) {
        const from = (parseIsoDay(brk.from) as number) - window.firstDay;
        for (let t = Math.max(0, from); t < expected.length; t++) expected[t] *= brk.factor;
      }
      const demand = drawDemand(rng.demand.fork(), expected);
      const inventoryRng = rng.inventory.fork();
      const bias = Math.exp(REPLENISHMENT.planner_bias_sd * inventoryRng.normal());
      const plan = expected.map((x, t) => (x / weatherFactor[t]) * bias);
      const reviewPeriod = products[j].is_slow_mover
        ? REPLENISHMENT.review_period_days_slow
        : REPLENISHMENT.review_period_days_fast;
      const leadTime =
        REPLENISHMENT.lead_time_days_min +
        inventoryRng.int(REPLENISHMENT.lead_time_days_max - REPLENISHMENT.lead_time_days_min + 1);
      const trace = simulateInventory(inventoryRng, demand, plan, {
        reviewPeriod,
        leadTime,
        offset: inventoryRng.int(reviewPeriod),
      });

      const revenueDaily = new Float64Array(window.nDays);
      for (let t = 0; t < window.nDays; t++) {
        const paid = prices.shelf[j][t] * (1 - prices.discountPct[series][t] / 100);
        revenueDaily[t] = trace.sold[t] * paid;
        if (trace.stockOnHand[t] === 0) stockoutDays++;
        if (trace.sold[t] < demand[t]) {
          censoredDays++;
          lostUnits += demand[t] - trace.sold[t];
        }
      }
      const stockOnHand = new Int32Array(window.nPeriods);
      for (let p = 0; p < window.nPeriods; p++) {
        stockOnHand[p] = trace.stockOnHand[(p + 1) * window.periodLength - 1];
        if (stockOnHand[p] === 0) stockoutPeriods++;
      }
      outcomes.push({
        units: sumByPeriod(window, trace.sold),
        revenue: sumByPeriod(window, revenueDaily),
        stockOnHand,
        receipts: sumByPeriod(window, trace.receipts),
      });
      demandTruth.push({
        store_id: stores[s].store_id,
        product_id: products[j].product_id,
        start: formatDay(window.firstDay),
        review_period_days: reviewPeriod,
        lead_time_days: leadTime,
        expected: Array.from(sumByPeriod(window, expected), (x) => roundTo(x, 3)),
        demand: Array.from(sumByPeriod(window, demand)),
      });
      onProgress?.(series + 1, nSeries);
    }
  }

  const cleanSales: Cell[][] = [];
  const inventoryRows: Cell[][] = [];
  for (let p = 0; p < window.nPeriods; p++) {
    const date = formatDay(periodStart(window, p));
    for (let s = 0; s < stores.length; s++) {
      for (let j = 0; j < products.length; j++) {
        const o = outcomes[s * products.length + j];
        const id = products[j].product_id;
        cleanSales.push([storeIds[s], id, date, o.units[p], roundTo(o.revenue[p], 2)]);
        inventoryRows.push([storeIds[s], id, date, o.stockOnHand[p], o.receipts[p]]);
      }
    }
  }
  const idWidth = productId(0, products.length).length - 1;
  const sales = plantDirtyRecords(rng.dirty, cleanSales, products.length, `P${'9'.repeat(idWidth + 1)}`);

  const tables: Record<SourceName, DemoTable> = {
    sales: {
      source: 'sales',
      columns: ['store_id', 'product_id', 'date', 'units', 'revenue'],
      rows: sales.rows,
    },
    products: {
      source: 'products',
      columns: ['product_id', 'name', 'category', 'department', 'unit_cost', 'base_price'],
      rows: products.map((p) => [p.product_id, p.name, p.category, p.department, p.unit_cost, p.base_price]),
    },
    stores: {
      source: 'stores',
      columns: ['store_id', 'name', 'type', 'size_sqm', 'region', 'opening_date'],
      rows: stores.map((s) => [s.store_id, s.name, s.type, s.size_sqm, s.region, s.opening_date]),
    },
    calendar: calendar.table,
    prices: pricesTable(storeIds, products, prices, window),
    promotions: promotionsTable(storeIds, products, promos.promotions, window),
    weather: weatherTable(regions, weather, window),
    inventory: {
      source: 'inventory',
      columns: ['store_id', 'product_id', 'date', 'stock_on_hand', 'receipts'],
      rows: inventoryRows,
    },
  };

  const seriesDays = nSeries * window.nDays;
  const truth: DemoTruth = {
    truth_version: TRUTH_VERSION,
    schema_version: SCHEMA_VERSION,
    generator: GENERATOR_NAME,
    seed: opts.seed,
    flags: opts,
    frequency: opts.freq,
    window: {
      first_period: formatDay(window.firstDay),
      last_period: formatDay(periodStart(window, window.nPeriods - 1)),
      periods: window.nPeriods,
      days_simulated: window.nDays,
    },
    model: {
      expected_demand:
        'level × store.effect × (1 + trend_per_year)^(days since first day / 365.25) × weekly_profile[Mon=0..Sun=6] × (1 + annual_amplitude × cos(2π (yearFraction − annual_phase))) × holiday_lift^[holiday] × (price × (1 − discount_pct/100) / base_price)^price_elasticity × promo_lift[promo_type]^[on promotion] × exp(weather_sensitivity_per_10c × (temp_c − region.mean_temp_c) / 10)',
      demand_distribution:
        'negative binomial: Poisson(λ × G), G ~ Gamma(shape k, scale 1/k); variance λ + λ²/k',
      overdispersion_shape_k: OVERDISPERSION_SHAPE,
      units_sold: 'min(demand, stock on hand at the start of the day + receipts that morning)',
      weekly_aggregation:
        'units, revenue, receipts and demand are weekly sums; stock_on_hand is Sunday end-of-day stock; price and discount_pct are weekly means; temp_c is the weekly mean and precip_mm the weekly sum',
      payday_effect: 'none: is_payday is informational (true multiplier 1)',
    },
    conventions: {
      zero_sales:
        'every store reports every product every period; a row with units 0 means no sale, and a store-period without any row means missing data (see dirty_records.missing_store_periods)',
      stockouts:
        'stock_on_hand 0 means the product sold out that period; units are then a lower bound of demand',
      prices: 'price is the shelf price before discount; the paid price is price × (1 − discount_pct/100)',
      promotions: 'an empty store_id means the promotion runs in every store',
      calendar: 'calendar.csv has one row per day, also for weekly data',
    },
    products: products.map((p, j) => ({ ...p, price_changes: prices.changes[j] })),
    stores,
    regions,
    replenishment: REPLENISHMENT,
    stockouts: {
      series_days: seriesDays,
      stockout_days: stockoutDays,
      stockout_rate: roundTo(stockoutDays / seriesDays, 4),
      censored_days: censoredDays,
      censored_rate: roundTo(censoredDays / seriesDays, 4),
      lost_units: lostUnits,
      stockout_periods: stockoutPeriods,
    },
    dirty_records: sales.dirty,
    row_counts: Object.fromEntries(Object.entries(tables).map(([name, t]) => [name, t.rows.length])),
    demand: demandTruth,
  };
  return { options: opts, tables, truth };
}
