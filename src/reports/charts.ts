/**
 * Charts drawn with pdfkit's vector primitives: a line chart of history and forecast with its
 * P10–P90 band, and a horizontal bar chart of driver contributions. Drawn by hand because charting
 * libraries render to canvas or SVG, and pdfkit's own paths keep the PDF small and sharp.
 */
import { formatDay } from '../core/dates.js';

type Doc = PDFKit.PDFDocument;

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** History and forecast of one series or segment, for the line chart. */
export interface ForecastChartData {
  /** Day numbers of the history, ascending. */
  readonly historyDates: Int32Array;
  /** Observed units (NaN = gap). */
  readonly history: Float64Array;
  readonly forecastDates: Int32Array;
  readonly forecast: Float64Array;
  /** Lower and upper band (e.g. P10 and P90), when the forecast has intervals. */
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
}

export interface ChartColors {
  readonly primary: string;
  readonly muted: string;
  readonly band: string;
  readonly negative: string;
}

const AXIS_FONT = 7;
const GRID_LINES = 4;

/** A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

function finiteRange(arrays: readonly (ArrayLike<number> | undefined)[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) continue;
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

/** Draws the forecast chart in `box`: grid, axes labels, band, history line, forecast line. */
export function drawForecastChart(doc: Doc, box: Box, data: ForecastChartData, colors: ChartColors): void {
  const left = box.x + 34;
  const bottom = box.y + box.height - 14;
  const width = box.width - 40;
  const height = box.height - 20;
  const [lo0, hi0] = finiteRange([data.history, data.forecast, data.lower, data.upper]);
  const step = niceStep(Math.max(hi0 - Math.min(0, lo0), 1e-9), GRID_LINES);
  const lo = Math.floor(Math.min(0, lo0) / step) * step;
  const hi = Math.ceil(hi0 / step) * step || step;
  const first = data.historyDates.length > 0 ? data.historyDates[0] : data.forecastDates[0];
  const last = data.forecastDates.length > 0 ? data.forecastDates[data.forecastDates.length - 1] : first;
  const px = (d: number) => left + ((d - first) / Math.max(1, last - first)) * width;
  const py = (v: number) => bottom - ((v - lo) / (hi - lo)) * height;

  doc.save();
  doc.font('Helvetica').fontSize(AXIS_FONT).fillColor(colors.muted);
  for (let v = lo; v <= hi + step / 2; v += step) {
    doc
      .moveTo(left, py(v))
      .lineTo(left + width, py(v))
      .lineWidth(0.3)
      .strokeColor('#dddddd')
      .stroke();
    doc.text(Number(v.toPrecision(6)).toLocaleString('en-US'), box.x, py(v) - 3, {
      width: 30,
      align: 'right',
    });
  }
  for (const d of [first, data.forecastDates[0] ?? first, last]) {
    doc.text(formatDay(d), px(d) - 25, bottom + 4, { width: 50, align: 'center' });
  }

  if (data.lower && data.upper && data.forecastDates.length > 0) {
    const n = data.forecastDates.length;
    doc.moveTo(px(data.forecastDates[0]), py(data.upper[0]));
    for (let i = 1; i < n; i++) doc.lineTo(px(data.forecastDates[i]), py(data.upper[i]));
    for (let i = n - 1; i >= 0; i--) doc.lineTo(px(data.forecastDates[i]), py(data.lower[i]));
    doc.closePath().fillOpacity(0.25).fill(colors.band).fillOpacity(1);
  }
  polyline(doc, data.historyDates, data.history, px, py);
  doc.lineWidth(0.8).strokeColor(colors.muted).stroke();
  polyline(doc, data.forecastDates, data.forecast, px, py);
  doc.lineWidth(1.4).strokeColor(colors.primary).stroke();
  // A dashed divider marks the forecast origin.
  if (data.forecastDates.length > 0) {
    const x = px(data.forecastDates[0]);
    doc
      .moveTo(x, bottom)
      .lineTo(x, bottom - height)
      .dash(2, { space: 2 })
      .lineWidth(0.5)
      .strokeColor(colors.muted)
      .stroke()
      .undash();
  }
  doc.restore();
}

/** Adds a path through the finite points (gaps break the line). */
function polyline(
  doc: Doc,
  dates: Int32Array,
  values: Float64Array,
  px: (d: number) => number,
  py: (v: number) => number,
): void {
  let pen = false;
  for (let i = 0; i < dates.length; i++) {
    if (!Number.isFinite(values[i])) {
      pen = false;
      continue;
    }
    if (pen) doc.lineTo(px(dates[i]), py(values[i]));
    else doc.moveTo(px(dates[i]), py(values[i]));
    pen = true;
  }
}

export interface BarDatum {
  readonly label: string;
  readonly value: number;
}

/**
 * Horizontal bars from a zero line, positive to the right in the primary colour, negative to the
 * left in the negative colour; labels on the left, values in a right-hand column.
 */
export function drawBarChart(
  doc: Doc,
  box: Box,
  bars: readonly BarDatum[],
  colors: ChartColors,
  unit = '',
): void {
  if (bars.length === 0) return;
  const labelWidth = 80;
  const valueWidth = 50;
  const plotLeft = box.x + labelWidth;
  const plotWidth = box.width - labelWidth - valueWidth;
  const maxAbs = Math.max(...bars.map((b) => Math.abs(b.value)), 1e-9);
  const hasNegative = bars.some((b) => b.value < 0);
  const zero = hasNegative ? plotLeft + plotWidth / 2 : plotLeft;
  const scale = (hasNegative ? plotWidth / 2 : plotWidth) / maxAbs;
  const rowHeight = Math.min(18, box.height / bars.length);
  doc.save().font('Helvetica').fontSize(8);
  bars.forEach((b, i) => {
    const y = box.y + i * rowHeight;
    doc
      .fillColor('#333333')
      .text(b.label, box.x, y + rowHeight / 2 - 4, { width: labelWidth - 6, align: 'right' });
    const w = Math.abs(b.value) * scale;
    const x = b.value >= 0 ? zero : zero - w;
    doc.rect(x, y + 2, Math.max(w, 0.5), rowHeight - 4).fill(b.value >= 0 ? colors.primary : colors.negative);
    const text = `${b.value >= 0 ? '+' : '-'}${Math.abs(b.value).toFixed(1)}${unit}`;
    doc.fillColor('#333333').text(text, box.x + box.width - valueWidth, y + rowHeight / 2 - 4, {
      width: valueWidth,
      align: 'right',
    });
  });
  doc
    .moveTo(zero, box.y)
    .lineTo(zero, box.y + bars.length * rowHeight)
    .lineWidth(0.5)
    .strokeColor('#999999')
    .stroke();
  doc.restore();
}
