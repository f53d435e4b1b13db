import { describe, expect, test } from 'vitest';
import type { ForecastResult } from '../forecast/forecaster.js';
import { analysisNarrative } from './narrative.js';
import { analyzeSegment } from './segment-analysis.js';
import { syntheticHistory } from './testing/synthetic.js';

const MONDAY = 19723; // 2024-01-01
const DOW = [0.8, 0.8, 0.9, 1, 1.1, 1.5, 0.9];
const DAYS = 371; // 53 weeks: enough for the seasonally adjusted trend
const growth = Math.log(1.2) / 365.25;

function series(level: number, drop?: number) {
  const fitted = Array.from({ length: DAYS }, (_, t) => level * Math.exp(growth * t) * DOW[t % 7]);
  const y = fitted.map((f, t) => f + 0.3 * Math.sin(t * 1.7) + (t === drop ? -0.6 * f : 0));
  return { fitted, y, price: fitted.map((_, t) => 2 * Math.sin(t / 5)) };
}

const a = series(10, DAYS - 3);
const b = series(20);
const c = series(5);
const { history, contributions } = syntheticHistory(
  [
    { id: 'S1/P1', y: a.y, fitted: a.fitted, drivers: { price: a.price } },
    { id: 'S2/P1', y: b.y, fitted: b.fitted, drivers: { price: b.price } },
    { id: 'S1/P2', y: c.y, fitted: c.fitted },
  ],
  MONDAY,
);

function forecast(width: number): ForecastResult {
  const h = 7;
  const yhat = new Float64Array(3 * h).fill(10);
  return {
    seriesIds: history.seriesIds,
    h,
    dates: new Int32Array(3 * h),
    models: {
      gbm: {
        yhat,
        quantiles: new Map([
          [0.1, yhat.map((v) => v * (1 - width / 2))],
          [0.9, yhat.map((v) => v * (1 + width / 2))],
        ]),
      },
    },
  };
}

describe('analyzeSegment', () => {
  const analysis = analyzeSegment({ kind: 'product', id: 'P1' }, history, contributions, {
    forecast: { result: forecast(1.2), model: 'gbm' },
  });

  test('trend: the log-linear growth and its label', () => {
    expect(analysis.members).toBe(2);
    expect(analysis.trend.growthPerYear).toBeGreaterThan(0.17);
    expect(analysis.trend.growthPerYear).toBeLessThan(0.23);
    expect(analysis.trend.tStat).toBeGreaterThan(10);
    expect(analysis.trend.label).toBe('rising strongly');
    expect(analysis.trend.seasonallyAdjusted).toBe(true);
    expect(analysis.trend.weeks).toBe(53);
  });

  test('seasonality: weekday and month indices', () => {
    expect(analysis.seasonality.dayOfWeek[5]).toBeCloseTo(1.5, 1);
    expect(analysis.seasonality.dayOfWeek[0]).toBeCloseTo(0.8, 1);
    // Growth makes December sell more than January.
    expect(analysis.seasonality.month[11]).toBeGreaterThan(analysis.seasonality.month[0]);
  });

  test('forecast confidence, drivers, volatility and anomalies', () => {
    expect(analysis.forecast?.total).toBe(140);
    expect(analysis.forecast?.relativeWidth).toBeCloseTo(1.2, 10);
    expect(analysis.forecast?.confidence).toBe('low');
    expect(analysis.drivers[0].driver).toBe('trend');
    expect(analysis.drivers[1].driver).toBe('price');
    expect(analysis.drivers[1].meanAbs).toBeGreaterThan(2);
    expect(analysis.volatility).toBeGreaterThan(0);
    expect(analysis.volatility).toBeLessThan(0.1);
    // Only the planted drop, three days before the end, is anomalous.
    expect(analysis.anomalies.map((x) => x.date)).toEqual([MONDAY + DAYS - 3]);
    expect(analysis.anomalies[0].z).toBeLessThan(-2.5);
  });

  test('recommendations follow the rules that fired', () => {
    // Price moves about 2.5 of 33 units a day (8%): below the 10% the price rule needs.
    expect(analysis.drivers[1].meanAbs / analysis.meanUnits).toBeLessThan(0.1);
    expect(analysis.recommendations.map((r) => r.rule)).toEqual([
      'trend-rising',
      'weekday-peak',
      'low-confidence',
      'recent-drops',
    ]);
    expect(analysis.recommendations[1].text).toMatch(/^Saturday sells 50% above/);
  });

  test('the narrative states the computed numbers', () => {
    const text = analysisNarrative(analysis).join(' ');
    expect(text).toContain('product P1');
    expect(text).toMatch(/rising strongly \(\+(19|20|21)% a year/);
    expect(text).toContain('busiest day is Saturday');
    expect(text).toMatch(
      /The forecast for the next 7 periods is 140 units \(P10–P90 56–224\), −\d+% against the previous 7 periods \(\d+ units\); confidence is low/,
    );
    expect(analysis.forecast?.previous).toBeGreaterThan(200);
    expect(text).toContain('1 recent anomaly');
  });

  test('a store segment selects its series; an unknown one is an error', () => {
    const store = analyzeSegment({ kind: 'store', id: 'S1' }, history, contributions);
    expect(store.members).toBe(2);
    expect(store.forecast).toBeUndefined();
    expect(store.recommendations.some((r) => r.rule === 'low-confidence')).toBe(false);
    expect(() => analyzeSegment({ kind: 'store', id: 'S9' }, history, contributions)).toThrow(
      /store 'S9' has no observed/,
    );
  });

  test('a flat, noisy segment is labelled flat and confidence follows the band width', () => {
    const noise = Array.from({ length: 120 }, (_, t) => 10 + 3 * Math.sin(t * 2.3));
    const flat = syntheticHistory([{ id: 'S1/P9', y: noise, fitted: noise.map(() => 10) }], MONDAY);
    const result = analyzeSegment({ kind: 'tenant' }, flat.history, flat.contributions, {
      forecast: { result: { ...forecast(0.3), seriesIds: ['S1/P9'] }, model: 'gbm' },
    });
    expect(result.trend.label).toBe('flat');
    expect(result.trend.seasonallyAdjusted).toBe(false);
    expect(analysisNarrative(result)[0]).toContain('only 18 weeks of history');
    expect(result.forecast?.confidence).toBe('high');
  });
});
