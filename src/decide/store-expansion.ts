/**
 * Store expansion: ranks stores and regions by the return on adding selling space, from each
 * store's growth, its saturation and an explicit, overridable set of assumptions that the result
 * repeats.
 *
 * - Growth: the annualised log-linear trend of weekly revenue, exp(52 × slope) − 1. Weekly totals
 *   remove the day-of-week pattern; with less than two years of history, seasonality can tilt it.
 * - Sales density: annual revenue per m² (revenue over the history × 365 / days).
 * - Saturation: density ÷ the best density of the same store type (the `benchmarkQuantile` of
 *   that type, 0.9 by default), capped at 1. A store near its type's best uses its space fully, so
 *   added space is likely to capture unmet demand; a store far below it has room to grow already.
 *   A store alone of its type is its own benchmark (saturation 1; `benchmarkPeers` says so).
 * - Added space: `addedSpaceFraction` × current size.
 * - Incremental revenue of year y (1..horizonYears): added m² × density × captureRate × saturation
 *   × (1 + growth)^(y − 1), growth clamped to ±50% a year.
 * - Incremental cash of year y: that revenue × grossMarginRate − added m² × operatingCostPerSqmYear.
 * - Investment: added m² × fitOutCostPerSqm.
 * - ROI = (Σ_y cash_y / (1 + discountRate)^y − investment) / investment (a discounted net return).
 */
import {
  invalidArgument,
  requireInRange,
  requireInteger,
  requireNonNegative,
  requirePositive,
} from './arguments.js';

export interface StoreHistory {
  readonly storeId: string;
  readonly region: string;
  /** Store format, e.g. hypermarket / supermarket / express; saturation compares like with like. */
  readonly type: string;
  readonly sizeSqm: number;
  /** Day numbers of the revenue values (consecutive or not). */
  readonly day: Int32Array;
  /** Revenue per day, ≥ 0. */
  readonly revenue: Float64Array;
}

export interface ExpansionAssumptions {
  /** Space added, as a fraction of the current size. */
  readonly addedSpaceFraction: number;
  /** Share of the store's current density the added space achieves at full saturation. */
  readonly captureRate: number;
  /** Gross margin on incremental revenue. */
  readonly grossMarginRate: number;
  /** One-off investment per added m² (fit-out, equipment), currency units. */
  readonly fitOutCostPerSqm: number;
  /** Yearly running cost per added m² (rent, staff, energy). */
  readonly operatingCostPerSqmYear: number;
  /** Years the investment is assessed over. */
  readonly horizonYears: number;
  /** Yearly discount rate of future cash. */
  readonly discountRate: number;
  /** Quantile of the same-type densities taken as "best" for saturation. */
  readonly benchmarkQuantile: number;
}

export const DEFAULT_EXPANSION_ASSUMPTIONS: ExpansionAssumptions = {
  addedSpaceFraction: 0.1,
  captureRate: 0.6,
  grossMarginRate: 0.3,
  fitOutCostPerSqm: 1200,
  operatingCostPerSqmYear: 150,
  horizonYears: 5,
  discountRate: 0.08,
  benchmarkQuantile: 0.9,
};

export interface StoreExpansionRow {
  readonly storeId: string;
  readonly region: string;
  readonly type: string;
  readonly sizeSqm: number;
  readonly annualRevenue: number;
  readonly salesPerSqm: number;
  /** Annual growth rate of revenue (0.05 = +5% a year). */
  readonly growth: number;
  /** Density relative to the best of the type, in [0, 1]. */
  readonly saturation: number;
  /** Stores of the same type the saturation compares with (itself included); 1 means it is its own benchmark. */
  readonly benchmarkPeers: number;
  readonly addedSqm: number;
  readonly incrementalRevenueYear1: number;
  readonly investment: number;
  /** Discounted net present value of the added space. */
  readonly netPresentValue: number;
  readonly roi: number;
  /** 1 = best. */
  readonly rank: number;
}

export interface RegionExpansionRow {
  readonly region: string;
  readonly stores: number;
  readonly annualRevenue: number;
  /** Revenue-weighted mean growth of its stores. */
  readonly growth: number;
  /** Mean saturation of its stores. */
  readonly saturation: number;
  readonly investment: number;
  readonly netPresentValue: number;
  /** Σ NPV / Σ investment over its stores. */
  readonly roi: number;
  readonly rank: number;
}

export interface ExpansionRanking {
  /** The assumptions used, defaults filled in. */
  readonly assumptions: ExpansionAssumptions;
  readonly stores: readonly StoreExpansionRow[];
  readonly regions: readonly RegionExpansionRow[];
}

/** Ranks `stores` (best ROI first) and their regions; `assumptions` override the defaults. */
export function rankExpansion(
  stores: readonly StoreHistory[],
  assumptions: Partial<ExpansionAssumptions> = {},
): ExpansionRanking {
  const a = { ...DEFAULT_EXPANSION_ASSUMPTIONS, ...assumptions };
  checkAssumptions(a);
  if (stores.length === 0) invalidArgument('stores', 'a non-empty array', '[]');

  const base = stores.map((s, i) => {
    requirePositive(`stores[${i}].sizeSqm`, s.sizeSqm);
    if (s.day.length !== s.revenue.length || s.day.length < 14) {
      invalidArgument(
        `stores[${i}].revenue`,
        'at least 14 days, one value per day',
        `${s.revenue.length} values for ${s.day.length} days`,
      );
    }
    let total = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < s.revenue.length; k++) {
      requireNonNegative(`stores[${i}].revenue[${k}]`, s.revenue[k]);
      total += s.revenue[k];
      first = Math.min(first, s.day[k]);
      last = Math.max(last, s.day[k]);
    }
    const annualRevenue = (total * 365) / (last - first + 1);
    return {
      store: s,
      annualRevenue,
      salesPerSqm: annualRevenue / s.sizeSqm,
      growth: weeklyGrowth(s, first, last),
    };
  });

  const benchmark = new Map<string, { density: number; peers: number }>();
  for (const type of new Set(stores.map((s) => s.type))) {
    const densities = base.filter((b) => b.store.type === type).map((b) => b.salesPerSqm);
    benchmark.set(type, { density: quantile(densities, a.benchmarkQuantile), peers: densities.length });
  }

  const rows = base.map((b) => {
    const best = benchmark.get(b.store.type) as { density: number; peers: number };
    const saturation = best.density > 0 ? Math.min(1, b.salesPerSqm / best.density) : 0;
    const addedSqm = b.store.sizeSqm * a.addedSpaceFraction;
    const growth = Math.max(-0.5, Math.min(0.5, b.growth));
    const year1 = addedSqm * b.salesPerSqm * a.captureRate * saturation;
    let presentValue = 0;
    for (let y = 1; y <= a.horizonYears; y++) {
      const cash = year1 * (1 + growth) ** (y - 1) * a.grossMarginRate - addedSqm * a.operatingCostPerSqmYear;
      presentValue += cash / (1 + a.discountRate) ** y;
    }
    const investment = addedSqm * a.fitOutCostPerSqm;
    const netPresentValue = presentValue - investment;
    return {
      storeId: b.store.storeId,
      region: b.store.region,
      type: b.store.type,
      sizeSqm: b.store.sizeSqm,
      annualRevenue: b.annualRevenue,
      salesPerSqm: b.salesPerSqm,
      growth: b.growth,
      saturation,
      benchmarkPeers: best.peers,
      addedSqm,
      incrementalRevenueYear1: year1,
      investment,
      netPresentValue,
      roi: investment > 0 ? netPresentValue / investment : 0,
      rank: 0,
    };
  });
  const rankedStores = rows
    .sort((x, y) => y.roi - x.roi || x.storeId.localeCompare(y.storeId))
    .map((r, i) => ({ ...r, rank: i + 1 }));

  const regions = [...new Set(rows.map((r) => r.region))].map((region) => {
    const members = rows.filter((r) => r.region === region);
    const revenue = members.reduce((s, r) => s + r.annualRevenue, 0);
    const investment = members.reduce((s, r) => s + r.investment, 0);
    const npv = members.reduce((s, r) => s + r.netPresentValue, 0);
    return {
      region,
      stores: members.length,
      annualRevenue: revenue,
      growth: revenue > 0 ? members.reduce((s, r) => s + r.growth * r.annualRevenue, 0) / revenue : 0,
      saturation: members.reduce((s, r) => s + r.saturation, 0) / members.length,
      investment,
      netPresentValue: npv,
      roi: investment > 0 ? npv / investment : 0,
      rank: 0,
    };
  });
  const rankedRegions = regions
    .sort((x, y) => y.roi - x.roi || x.region.localeCompare(y.region))
    .map((r, i) => ({ ...r, rank: i + 1 }));
  return { assumptions: a, stores: rankedStores, regions: rankedRegions };
}

/** exp(52 × slope) − 1 of the least-squares line through log(weekly revenue); 0 under two full weeks. */
function weeklyGrowth(s: StoreHistory, first: number, last: number): number {
  const totals = new Map<number, number>();
  for (let k = 0; k < s.day.length; k++) {
    const week = Math.floor((s.day[k] - first) / 7);
    totals.set(week, (totals.get(week) ?? 0) + s.revenue[k]);
  }
  // The last week may be partial; a partial week would read as a drop.
  const lastWeek = Math.max(...totals.keys());
  const complete = (last - first + 1) % 7 === 0;
  const points = [...totals].filter(([w, v]) => v > 0 && (w < lastWeek || complete));
  if (points.length < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [w, v] of points) {
    sx += w;
    sy += Math.log(v);
  }
  const mx = sx / points.length;
  const my = sy / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [w, v] of points) {
    sxy += (w - mx) * (Math.log(v) - my);
    sxx += (w - mx) ** 2;
  }
  return sxx > 0 ? Math.exp((52 * sxy) / sxx) - 1 : 0;
}

/** Linear-interpolated quantile of unsorted values. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function checkAssumptions(a: ExpansionAssumptions): void {
  requirePositive('assumptions.addedSpaceFraction', a.addedSpaceFraction);
  requireInRange('assumptions.captureRate', a.captureRate, 0, 1);
  requireInRange('assumptions.grossMarginRate', a.grossMarginRate, 0, 1);
  requireNonNegative('assumptions.fitOutCostPerSqm', a.fitOutCostPerSqm);
  requireNonNegative('assumptions.operatingCostPerSqmYear', a.operatingCostPerSqmYear);
  requireInteger('assumptions.horizonYears', a.horizonYears, 1);
  requireInRange('assumptions.discountRate', a.discountRate, 0, 1);
  requireInRange('assumptions.benchmarkQuantile', a.benchmarkQuantile, 0, 1);
}
