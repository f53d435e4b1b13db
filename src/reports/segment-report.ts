/**
 * The content of an executive report page for a tenant, store or product, assembled from the
 * explanation library's results: summary sentences from the narratives, the forecast chart of the
 * segment's summed series, the drivers of the forecast, key figures and recommendations.
 */
import { formatDay } from '../core/dates.js';
import type { ChangeAttribution } from '../explain/change-attribution.js';
import type { DriverContributions } from '../explain/contributions.js';
import { DRIVER_LABELS, DRIVERS } from '../explain/drivers.js';
import { analysisNarrative, changeNarrative, percent } from '../explain/narrative.js';
import { seriesMatches } from '../explain/scenario.js';
import type { SegmentAnalysis } from '../explain/segment-analysis.js';
import { type Segment, segmentConditions } from '../explain/segment-series.js';
import type { Panel } from '../features/panel.js';
import type { ForecastResult } from '../forecast/forecaster.js';
import type { BarDatum, ForecastChartData } from './charts.js';
import type { ReportSection } from './pdf-report.js';

export interface SegmentReportInput {
  readonly segment: Segment;
  /** Display name, e.g. "Sourdough Loaf (P005)". */
  readonly label?: string;
  readonly history: Panel;
  readonly forecast: ForecastResult;
  readonly model: string;
  readonly analysis: SegmentAnalysis;
  /** Contributions of the forecast (`explainForecast`, an ensemble's weighted), for the drivers chart. */
  readonly contributions: DriverContributions;
  /** An explained recent change, told first in the summary. */
  readonly change?: ChangeAttribution;
  /** History periods shown before the forecast; default 8 weeks of periods. */
  readonly lookback?: number;
}

/**
 * The segment's summed history (last `lookback` periods) and forecast with its outermost
 * quantiles (each series' lower quantile floored at 0), per date.
 */
export function forecastChartData(
  segment: Segment,
  history: Panel,
  forecast: ForecastResult,
  model: string,
  lookback: number,
): ForecastChartData {
  const cond = segmentConditions(segment);
  const past = new Map<number, number>();
  history.seriesIds.forEach((id, s) => {
    if (!seriesMatches(id, cond)) return;
    for (let r = history.offsets[s]; r < history.offsets[s + 1]; r++) {
      if (Number.isNaN(history.y[r])) continue;
      past.set(history.dates[r], (past.get(history.dates[r]) ?? 0) + history.y[r]);
    }
  });
  const historyDates = Int32Array.from([...past.keys()].sort((a, b) => a - b).slice(-lookback));
  const out = forecast.models[model];
  const levels = [...out.quantiles.keys()].sort((a, b) => a - b);
  const sums = new Map<number, [number, number, number]>();
  forecast.seriesIds.forEach((id, s) => {
    if (!seriesMatches(id, cond)) return;
    for (let k = 0; k < forecast.h; k++) {
      const i = s * forecast.h + k;
      const e = sums.get(forecast.dates[i]) ?? [0, 0, 0];
      e[0] += out.yhat[i];
      if (levels.length >= 2) {
        // Units cannot be negative; conformal bands of small series can reach below zero.
        e[1] += Math.max(0, out.quantiles.get(levels[0])![i]);
        e[2] += out.quantiles.get(levels[levels.length - 1])![i];
      }
      sums.set(forecast.dates[i], e);
    }
  });
  const forecastDates = Int32Array.from([...sums.keys()].sort((a, b) => a - b));
  const pick = (k: number) => Float64Array.from(forecastDates, (d) => sums.get(d)![k]);
  return {
    historyDates,
    history: Float64Array.from(historyDates, (d) => past.get(d)!),
    forecastDates,
    forecast: pick(0),
    ...(levels.length >= 2 ? { lower: pick(1), upper: pick(2) } : {}),
  };
}

/** Mean contribution per forecast period of each driver, over the segment's series (zeros dropped). */
export function forecastDriverBars(segment: Segment, contributions: DriverContributions): BarDatum[] {
  const cond = segmentConditions(segment);
  const nd = DRIVERS.length;
  const sums = new Float64Array(nd);
  const dates = new Set<number>();
  for (let i = 0; i < contributions.prediction.length; i++) {
    if (!seriesMatches(contributions.seriesIds[contributions.series[i]], cond)) continue;
    dates.add(contributions.dates[i]);
    for (let k = 0; k < nd; k++) sums[k] += contributions.byDriver[i * nd + k];
  }
  return DRIVERS.map((d, k) => ({ label: DRIVER_LABELS[d], value: sums[k] / Math.max(1, dates.size) }))
    .filter((b) => Math.abs(b.value) >= 0.05)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The report page of one segment. */
export function segmentSection(input: SegmentReportInput): ReportSection {
  const { analysis, segment } = input;
  const lookback = input.lookback ?? (input.history.freq === 'week' ? 8 : 56);
  const chart = forecastChartData(segment, input.history, input.forecast, input.model, lookback);
  const summary = [
    ...(input.change ? [changeNarrative(input.change, { label: input.label })] : []),
    ...analysisNarrative(analysis, input.label),
  ];
  const f = analysis.forecast;
  const rows: string[][] = [
    [
      'Forecast period',
      `${formatDay(chart.forecastDates[0])} – ${formatDay(chart.forecastDates[chart.forecastDates.length - 1])}`,
    ],
    ...(f
      ? [
          ['Forecast units', fmt(f.total)],
          ...(f.interval ? [['P10 – P90', `${fmt(f.interval[0])} – ${fmt(f.interval[1])}`]] : []),
          [`Previous ${f.h} periods`, fmt(f.previous)],
          ['Confidence', f.confidence ?? 'n/a'],
        ]
      : []),
    ['Trend', `${analysis.trend.label} (${percent(analysis.trend.growthPerYear)} / year)`],
    ['Volatility (residual CV)', percent(analysis.volatility)],
    ['Series', String(analysis.members)],
  ];
  return {
    title:
      input.label ??
      (segment.kind === 'tenant'
        ? 'All stores and products'
        : `${segment.kind[0].toUpperCase()}${segment.kind.slice(1)} ${segment.id}`),
    summary,
    forecast: chart,
    drivers: forecastDriverBars(segment, input.contributions),
    driversTitle: 'Drivers of the forecast (units per period, against the model average)',
    table: { columns: ['Figure', 'Value'], rows },
    recommendations: analysis.recommendations.map((r) => r.text),
  };
}
