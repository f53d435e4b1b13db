/**
 * Plain-language explanations built only from computed numbers: each sentence is a template whose
 * blanks are filled from an attribution, an analysis or a forecast, never generated free text.
 */
import { formatDay } from '../core/dates.js';
import type { ChangeAttribution, Period } from './change-attribution.js';
import { DRIVER_LABELS, type Driver } from './drivers.js';
import type { SegmentAnalysis } from './segment-analysis.js';
import type { Segment } from './segment-series.js';

/** A signed amount of units: "+12 units", "−41 units" (typographic minus). */
export function signedUnits(x: number): string {
  const r = Math.round(x);
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toLocaleString('en-US')} unit${Math.abs(r) === 1 ? '' : 's'}`;
}

/** A whole percentage: 0.234 → "23%". */
export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function units(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** "product P005", "store S01", "all stores". */
export function segmentName(segment: Segment, label?: string): string {
  if (segment.kind === 'tenant') return label ?? 'all stores and products';
  return `${segment.kind} ${label ?? segment.id}`;
}

function periodName(p: Period): string {
  return p.from === p.to ? formatDay(p.from) : `${formatDay(p.from)}–${formatDay(p.to)}`;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** "a → b" with whole numbers, or one decimal when they would round to the same whole number. */
function pair(v: readonly [number, number], unit: string): string {
  const whole = Math.round(v[0]) !== Math.round(v[1]);
  // A typographic minus, as signedUnits writes it.
  const f = (x: number) => (whole ? String(Math.round(x)) : x.toFixed(1)).replace(/^-/, '−');
  return `${f(v[0])}${unit} → ${f(v[1])}${unit}`;
}

/** The driver columns' values behind a driver's change, e.g. "mean discount 20% → 0%". */
function cause(driver: Driver, att: ChangeAttribution): string | undefined {
  const c = att.context;
  const moved = (v: readonly [number, number] | undefined, tolerance: number) =>
    v !== undefined && Math.abs(v[1] - v[0]) > tolerance ? v : undefined;
  if (driver === 'price') {
    const d = moved(c.discountPct, 0.5);
    if (d) return `mean discount ${pair(d, '%')}`;
    const p = moved(c.price, 0.005);
    if (p) return `shelf price ${p[0].toFixed(2)} → ${p[1].toFixed(2)}`;
  }
  if (driver === 'promotion') {
    const p = moved(c.promoShare, 0.01);
    if (p) return `on promotion ${percent(p[0])} → ${percent(p[1])} of days`;
  }
  if (driver === 'weather') {
    const t = moved(c.tempC, 0.5);
    if (t) return `mean temperature ${pair(t, ' °C')}`;
  }
  if (driver === 'holiday') {
    const h = moved(c.holidays, 0);
    if (h) return `holidays ${round1(h[0])} → ${round1(h[1])}`;
  }
  return undefined;
}

/**
 * "Sales of product P005 fell 23% (−41 units) from <A> to <B>. Price explains −28 units (discount
 * 20% → 0%), promotion −15 units, seasonality +2 units; 4 units are unexplained." Drivers are
 * listed largest first while they explain at least `minShare` of the change (default 5%), at most
 * `maxDrivers` (default 4).
 */
export function changeNarrative(
  att: ChangeAttribution,
  options: { label?: string; minShare?: number; maxDrivers?: number } = {},
): string {
  const [a, b] = att.periods;
  const verb = att.change > 0 ? 'rose' : att.change < 0 ? 'fell' : 'did not change';
  const size = Number.isFinite(att.relativeChange) ? `${percent(Math.abs(att.relativeChange))} ` : '';
  const head =
    att.change === 0
      ? `Sales of ${segmentName(att.segment, options.label)} did not change from ${periodName(a)} to ${periodName(b)} (${units(att.actual[1])} units).`
      : `Sales of ${segmentName(att.segment, options.label)} ${verb} ${size}(${signedUnits(att.change)}) from ${periodName(a)} to ${periodName(b)}, ${units(att.actual[0])} → ${units(att.actual[1])} units.`;
  const floor = Math.max(0.5, (options.minShare ?? 0.05) * Math.abs(att.change));
  const parts = att.drivers
    .filter((d) => Math.abs(d.units) >= floor)
    .slice(0, options.maxDrivers ?? 4)
    .map((d, i) => {
      const why = cause(d.driver, att);
      const label = DRIVER_LABELS[d.driver];
      const name = i === 0 ? label[0].toUpperCase() + label.slice(1) : label;
      return `${name}${i === 0 ? ' explains' : ''} ${signedUnits(d.units)}${why ? ` (${why})` : ''}`;
    });
  const rest = `${signedUnits(att.unexplained)} ${Math.abs(Math.round(att.unexplained)) === 1 ? 'is' : 'are'} unexplained by the model`;
  return parts.length > 0
    ? `${head} ${parts.join(', ')}; ${rest}.`
    : `${head} No driver explains much of it; ${rest}.`;
}

/** Sentences summarising a segment analysis: trend, seasonality, confidence, drivers, anomalies. */
export function analysisNarrative(analysis: SegmentAnalysis, label?: string): string[] {
  const name = segmentName(analysis.segment, label);
  const out: string[] = [];
  const t = analysis.trend;
  const caveat = t.seasonallyAdjusted
    ? ''
    : `; only ${t.weeks} weeks of history, so a seasonal swing may look like a trend`;
  out.push(
    t.label === 'flat'
      ? `Sales of ${name} average ${round1(analysis.meanUnits)} units per period with no clear trend (${percent(t.growthPerYear)} a year, t = ${t.tStat.toFixed(1)}${caveat}).`
      : `Sales of ${name} average ${round1(analysis.meanUnits)} units per period and are ${t.label} (${t.growthPerYear > 0 ? '+' : ''}${percent(t.growthPerYear)} a year, t = ${t.tStat.toFixed(1)}${caveat}).`,
  );
  const dow = analysis.seasonality.dayOfWeek;
  if (dow.length === 7) {
    const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    const peak = dow.indexOf(Math.max(...dow));
    const trough = dow.indexOf(Math.min(...dow));
    out.push(
      `The busiest day is ${days[peak]} (index ${dow[peak].toFixed(2)}), the quietest ${days[trough]} (${dow[trough].toFixed(2)}).`,
    );
  }
  const f = analysis.forecast;
  if (f) {
    const vs =
      f.previous > 0
        ? `, ${f.total >= f.previous ? '+' : '−'}${percent(Math.abs(f.total / f.previous - 1))} against the previous ${f.h} periods (${units(f.previous)} units)`
        : '';
    out.push(
      f.interval
        ? `The forecast for the next ${f.h} periods is ${units(f.total)} units (P10–P90 ${units(f.interval[0])}–${units(f.interval[1])})${vs}; confidence is ${f.confidence} (band ${percent(f.relativeWidth)} of the forecast).`
        : `The forecast for the next ${f.h} periods is ${units(f.total)} units${vs}.`,
    );
  }
  const top = analysis.drivers.slice(0, 3);
  if (top.length > 0) {
    out.push(
      `Top drivers: ${top.map((d) => `${DRIVER_LABELS[d.driver]} (±${round1(d.meanAbs)} units per period)`).join(', ')}.`,
    );
  }
  if (analysis.anomalies.length > 0) {
    const a = analysis.anomalies[0];
    out.push(
      `${analysis.anomalies.length} recent anomal${analysis.anomalies.length > 1 ? 'ies' : 'y'}; the latest on ${formatDay(a.date)}: ${units(a.actual)} units sold against ${units(a.fitted)} expected (z = ${a.z.toFixed(1)}).`,
    );
  }
  out.push(
    `Volatility: residuals vary by ${percent(analysis.volatility)} of mean sales; ${analysis.members} series analysed.`,
  );
  return out;
}
