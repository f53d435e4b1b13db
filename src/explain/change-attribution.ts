/**
 * Why did sales change between two periods? The change of a segment's sales from period A to
 * period B is attributed to drivers through the difference of their contributions (SHAP) between
 * the periods: Δactual = Δbase + Σ_driver Δcontribution + Δresidual, where the residual (actual −
 * model) is reported as "other/unexplained". Differences of the model's base (per-series expected
 * value) come from series present in one period only; they are folded into trend/level.
 */
import { formatDay } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isCategorical, type Panel } from '../features/panel.js';
import type { Contributions } from './contributions.js';
import { DRIVERS, type Driver } from './drivers.js';
import { seriesMatches } from './scenario.js';
import { type Segment, segmentConditions, segmentSeries } from './segment-series.js';

/** A closed range of day numbers. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** What the driver columns looked like in each period, to name the cause of a driver's change. */
export interface DriverContext {
  /** Mean discount in percent over the segment's rows. */
  readonly discountPct?: readonly [number, number];
  /** Mean shelf price. */
  readonly price?: readonly [number, number];
  /** Share of rows on promotion. */
  readonly promoShare?: readonly [number, number];
  /** Mean temperature, °C. */
  readonly tempC?: readonly [number, number];
  /** Holiday rows per series. */
  readonly holidays?: readonly [number, number];
}

export interface ChangeAttribution {
  readonly segment: Segment;
  readonly periods: readonly [Period, Period];
  /** Observed units in A (scaled to B's number of periods when the lengths differ) and in B. */
  readonly actual: readonly [number, number];
  readonly change: number;
  /** change / actual A (NaN when A is 0). */
  readonly relativeChange: number;
  /** Units of the change attributed to each driver, largest |value| first (zeros dropped). */
  readonly drivers: readonly { readonly driver: Driver; readonly units: number }[];
  /** The part of the change the model does not explain (actual − model, B minus A). */
  readonly unexplained: number;
  readonly context: DriverContext;
}

/**
 * Attributes the change of `segment`'s sales from period `a` to period `b`. `contributions` must
 * be the in-sample contributions (`explainHistory`) covering both periods; `history` gives the
 * actuals and the driver columns.
 */
export function attributeChange(
  segment: Segment,
  history: Panel,
  contributions: Contributions,
  a: Period,
  b: Period,
): ChangeAttribution {
  const series = segmentSeries(segment, history, contributions);
  const nd = DRIVERS.length;
  const sums = (p: Period) => {
    let actual = 0;
    let fitted = 0;
    let base = 0;
    let n = 0;
    const drivers = new Float64Array(nd);
    series.dates.forEach((d, i) => {
      if (d < p.from || d > p.to || Number.isNaN(series.actual[i])) return;
      actual += series.actual[i];
      fitted += series.fitted[i];
      base += series.base[i];
      for (let k = 0; k < nd; k++) drivers[k] += series.byDriver[i * nd + k];
      n++;
    });
    return { actual, fitted, base, drivers, n };
  };
  const sa = sums(a);
  const sb = sums(b);
  for (const [p, s] of [
    [a, sa],
    [b, sb],
  ] as const) {
    if (s.n === 0) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `no observed sales of the ${segment.kind}${segment.id ? ` '${segment.id}'` : ''} between ${formatDay(p.from)} and ${formatDay(p.to)}.`,
        { field: 'period' },
      );
    }
  }
  // Period A is rescaled to B's length so that a week is compared with a week.
  const scale = sb.n / sa.n;
  const change = sb.actual - sa.actual * scale;
  const byDriver = new Float64Array(nd);
  for (let k = 0; k < nd; k++) byDriver[k] = sb.drivers[k] - sa.drivers[k] * scale;
  byDriver[DRIVERS.indexOf('trend')] += sb.base - sa.base * scale;
  const unexplained = sb.actual - sb.fitted - (sa.actual - sa.fitted) * scale;
  const drivers = DRIVERS.map((driver, k) => ({ driver, units: byDriver[k] }))
    // Rounding noise of contributions that cancel is not a driver.
    .filter((d) => Math.abs(d.units) > 1e-9)
    .sort((x, y) => Math.abs(y.units) - Math.abs(x.units));
  return {
    segment,
    periods: [a, b],
    actual: [sa.actual * scale, sb.actual],
    change,
    relativeChange: sa.actual > 0 ? change / (sa.actual * scale) : Number.NaN,
    drivers,
    unexplained,
    context: driverContext(segment, history, a, b),
  };
}

/** Means of the driver columns over the segment's rows of each period. */
function driverContext(segment: Segment, history: Panel, a: Period, b: Period): DriverContext {
  const cond = segmentConditions(segment);
  const meanOf = (column: string, p: Period, perSeries = false): number | undefined => {
    const col = history.exog[column];
    if (!col || isCategorical(col)) return undefined;
    let sum = 0;
    let n = 0;
    let members = 0;
    history.seriesIds.forEach((id, s) => {
      if (!seriesMatches(id, cond)) return;
      members++;
      for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++) {
        const d = history.dates[r];
        if (d < p.from || d > p.to || Number.isNaN(col[r])) continue;
        sum += col[r];
        n++;
      }
    });
    if (n === 0) return undefined;
    return perSeries ? sum / members : sum / n;
  };
  const pair = (column: string, perSeries = false) => {
    const x = meanOf(column, a, perSeries);
    const y = meanOf(column, b, perSeries);
    return x === undefined || y === undefined ? undefined : ([x, y] as const);
  };
  return {
    discountPct: pair('discount_pct'),
    price: pair('price'),
    promoShare: pair('on_promo'),
    tempC: pair('temp_c'),
    holidays: pair('is_holiday', true),
  };
}
