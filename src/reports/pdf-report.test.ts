import { beforeAll, expect, test } from 'vitest';
import { explainForecast, explainHistory } from '../explain/contributions.js';
import { analyzeSegment } from '../explain/segment-analysis.js';
import { type DemoFit, fitDemoForecaster } from '../explain/testing/demo-forecaster.js';
import { pdfText, type ReportSpec, renderReport } from './pdf-report.js';
import { forecastChartData, forecastDriverBars, segmentSection } from './segment-report.js';

let fit: DemoFit;
let spec: ReportSpec;
beforeAll(() => {
  fit = fitDemoForecaster({
    stores: 2,
    products: 3,
    days: 200,
    h: 14,
    strategy: 'recursive',
    trees: 40,
    features: 'compact',
  });
  const forecast = fit.forecaster.predict(fit.h, { history: fit.history, future: fit.panel });
  const contributions = explainForecast(fit.internals, 'gbm', forecast, {
    history: fit.history,
    future: fit.panel,
  });
  const end = fit.history.dates[fit.history.offsets[1] - 1];
  const past = explainHistory(fit.internals, 'gbm', fit.history, { from: end - 90, to: end });
  const product = fit.retailer.truth.products[0];
  const sections = (
    [
      [{ kind: 'tenant' }, 'all stores'],
      [{ kind: 'product', id: product.product_id }, `${product.name} (${product.product_id})`],
    ] as const
  ).map(([segment, label]) =>
    segmentSection({
      segment,
      label,
      history: fit.history,
      forecast,
      model: 'gbm',
      analysis: analyzeSegment(segment, fit.history, past, { forecast: { result: forecast, model: 'gbm' } }),
      contributions,
    }),
  );
  spec = {
    title: 'Demand outlook',
    subtitle: 'next 14 days',
    generatedAt: '2026-11-27T01:00:00Z',
    branding: { name: 'Acme Groceries', primaryColor: '#0a7d5a', logoUrl: 'https://acme.example/logo.png' },
    sections,
  };
});

test('the chart data sums the segment’s series and keeps the interval band around the forecast', () => {
  const forecast = fit.forecaster.predict(fit.h, { history: fit.history, future: fit.panel });
  const chart = forecastChartData({ kind: 'tenant' }, fit.history, forecast, 'gbm', 28);
  expect(chart.historyDates.length).toBe(28);
  expect(chart.forecastDates.length).toBe(fit.h);
  expect(chart.forecastDates[0]).toBeGreaterThan(chart.historyDates[27]);
  const total = forecast.models.gbm.yhat.reduce((a, b) => a + b, 0);
  expect(chart.forecast.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
  for (let k = 0; k < fit.h; k++) {
    expect(chart.lower![k]).toBeLessThanOrEqual(chart.forecast[k]);
    expect(chart.upper![k]).toBeGreaterThanOrEqual(chart.forecast[k]);
  }
});

test('driver bars are the mean contribution per forecast period, largest first', () => {
  const forecast = fit.forecaster.predict(fit.h, { history: fit.history, future: fit.panel });
  const c = explainForecast(fit.internals, 'gbm', forecast, { history: fit.history, future: fit.panel });
  const bars = forecastDriverBars({ kind: 'tenant' }, c);
  expect(bars.length).toBeGreaterThan(1);
  for (let k = 1; k < bars.length; k++)
    expect(Math.abs(bars[k].value)).toBeLessThanOrEqual(Math.abs(bars[k - 1].value));
  // Bars plus the mean base give the mean forecast per period.
  const perPeriod = forecast.models.gbm.yhat.reduce((a, b) => a + b, 0) / fit.h;
  const base = c.base.reduce((a, b) => a + b, 0) / fit.h;
  const small = 0.05 * 9; // bars under 0.05 units are dropped, at most one per driver
  expect(Math.abs(base + bars.reduce((s, b) => s + b.value, 0) - perPeriod)).toBeLessThan(small);
});

test('renders a branded PDF with one page per section', async () => {
  const pdf = await renderReport(spec, { compress: false });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = pdf.toString('latin1');
  expect(text.match(/\/Type \/Page\b(?!s)/g)?.length).toBe(2);
  // Document info values are objects of their own: "/Title 19 0 R" … "19 0 obj\n(Demand outlook)".
  expect(text).toMatch(/\/Title \d+ 0 R/);
  expect(text).toContain('(Demand outlook)');
  expect(text).toContain('(Acme Groceries)');
  // pdfkit writes text as hex glyph strings; the branding name's glyphs appear in the page stream.
  expect(text).toMatch(/\/F\d+ 16 Tf/);
  const compressed = await renderReport(spec);
  expect(compressed.length).toBeLessThan(pdf.length);
  expect(compressed.toString('latin1')).toContain('(Acme Groceries)');
});

test('text the standard fonts cannot show is replaced', () => {
  expect(pdfText('−41 units, 20% → 0%, ±3')).toBe('-41 units, 20% -> 0%, +/-3');
});

test('a malformed colour or an empty report is rejected', () => {
  expect(() => renderReport({ ...spec, branding: { ...spec.branding, primaryColor: 'green' } })).toThrow(
    /#rrggbb/,
  );
  expect(() => renderReport({ ...spec, sections: [] })).toThrow(/at least one section/);
});
