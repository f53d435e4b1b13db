/**
 * A segment (the whole tenant, one store or one product) as one series: the sums over its member
 * series, per date, of actuals, in-sample predictions and driver contributions. Segment analysis
 * and change narratives both work on this.
 */
import type { Panel } from '../features/panel.js';
import type { Contributions } from './contributions.js';
import { DRIVERS } from './drivers.js';
import { type ScenarioConditions, seriesMatches } from './scenario.js';

export interface Segment {
  readonly kind: 'tenant' | 'store' | 'product';
  /** Store or product id; absent for the tenant. */
  readonly id?: string;
  /** For a product: only its series in this store (one store × product series). */
  readonly store?: string;
}

/** The store/product conditions selecting the segment's series. */
export function segmentConditions(segment: Segment): ScenarioConditions {
  if (segment.kind === 'store') return { stores: [segment.id ?? ''] };
  if (segment.kind === 'product')
    return { products: [segment.id ?? ''], ...(segment.store !== undefined && { stores: [segment.store] }) };
  return {};
}

/** Per-date sums over a segment's series, dates ascending. */
export interface SegmentSeries {
  readonly dates: Int32Array;
  /** Observed units (NaN where no member series has an observation). */
  readonly actual: Float64Array;
  /** In-sample model prediction, units. */
  readonly fitted: Float64Array;
  readonly base: Float64Array;
  /** Row-major dates × DRIVERS, units. */
  readonly byDriver: Float64Array;
  /** Member series ids. */
  readonly members: readonly string[];
}

/**
 * Sums `contributions` (in-sample, from `explainHistory` on `history`) over the series of
 * `segment`, per date. Actuals come from `history`.
 */
export function segmentSeries(segment: Segment, history: Panel, contributions: Contributions): SegmentSeries {
  const cond = segmentConditions(segment);
  const nd = DRIVERS.length;
  const byDate = new Map<number, { actual: number; fitted: number; base: number; drivers: Float64Array }>();
  const actualIndex = new Map<string, number>();
  history.seriesIds.forEach((id, s) => {
    for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++)
      actualIndex.set(`${id}|${history.dates[r]}`, r);
  });
  const members = new Set<string>();
  for (let i = 0; i < contributions.prediction.length; i++) {
    const id = contributions.seriesIds[contributions.series[i]];
    if (!seriesMatches(id, cond)) continue;
    members.add(id);
    const d = contributions.dates[i];
    let e = byDate.get(d);
    if (!e) {
      e = { actual: Number.NaN, fitted: 0, base: 0, drivers: new Float64Array(nd) };
      byDate.set(d, e);
    }
    const r = actualIndex.get(`${id}|${d}`);
    const y = r === undefined ? Number.NaN : history.y[r];
    if (!Number.isNaN(y)) e.actual = (Number.isNaN(e.actual) ? 0 : e.actual) + y;
    e.fitted += contributions.prediction[i];
    e.base += contributions.base[i];
    for (let k = 0; k < nd; k++) e.drivers[k] += contributions.byDriver[i * nd + k];
  }
  const dates = Int32Array.from([...byDate.keys()].sort((a, b) => a - b));
  const byDriver = new Float64Array(dates.length * nd);
  dates.forEach((d, i) => {
    byDriver.set(byDate.get(d)!.drivers, i * nd);
  });
  return {
    dates,
    actual: Float64Array.from(dates, (d) => byDate.get(d)!.actual),
    fitted: Float64Array.from(dates, (d) => byDate.get(d)!.fitted),
    base: Float64Array.from(dates, (d) => byDate.get(d)!.base),
    byDriver,
    members: [...members],
  };
}

/** Observed units of the segment summed per date over its whole history, dates ascending. */
export function segmentActuals(
  segment: Segment,
  history: Panel,
): { dates: Int32Array; actual: Float64Array } {
  const cond = segmentConditions(segment);
  const sums = new Map<number, number>();
  history.seriesIds.forEach((id, s) => {
    if (!seriesMatches(id, cond)) return;
    for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++) {
      if (Number.isNaN(history.y[r])) continue;
      sums.set(history.dates[r], (sums.get(history.dates[r]) ?? 0) + history.y[r]);
    }
  });
  const dates = Int32Array.from([...sums.keys()].sort((a, b) => a - b));
  return { dates, actual: Float64Array.from(dates, (d) => sums.get(d)!) };
}
