import { beforeAll, describe, expect, test } from 'vitest';
import { Forecaster } from '../forecast/forecaster.js';
import { globalModel } from '../forecast/global-model.js';
import { seasonalNaiveModel } from '../forecast/local-models.js';
import { Ridge } from '../ml/index.js';
import { driverRows, explainForecast, explainHistory } from './contributions.js';
import { DRIVERS } from './drivers.js';
import { forecasterInternals } from './forecaster-internals.js';
import { type DemoFit, fitDemoForecaster } from './testing/demo-forecaster.js';

function rowSums(values: Float64Array, nCols: number, i: number): number {
  let s = 0;
  for (let j = 0; j < nCols; j++) s += values[i * nCols + j];
  return s;
}

describe.each(['recursive', 'direct'] as const)('a %s GBM forecaster on demo data', (strategy) => {
  let fit: DemoFit;
  beforeAll(() => {
    fit = fitDemoForecaster({
      stores: 2,
      products: 3,
      days: 240,
      h: 10,
      strategy,
      trees: 60,
      features: 'full',
    });
  });

  test('forecast contributions reproduce the forecast and sum to it, per feature and per driver', () => {
    const forecast = fit.forecaster.predict(fit.h, { history: fit.history, future: fit.panel });
    const c = explainForecast(fit.internals, 'gbm', forecast, { history: fit.history, future: fit.panel });
    expect(c.prediction.length).toBe(6 * fit.h);
    expect(c.maxAdditivityError).toBeLessThan(1e-9);
    const p = c.featureNames.length;
    for (let i = 0; i < c.prediction.length; i++) {
      // The recomputed feature rows give back the forecast (recursive rows read forecasts as lags).
      expect(c.prediction[i]).toBeCloseTo(forecast.models.gbm.yhat[i], 8);
      expect(c.base[i] + rowSums(c.values, p, i)).toBeCloseTo(c.prediction[i], 8);
      expect(c.base[i] + rowSums(c.byDriver, DRIVERS.length, i)).toBeCloseTo(c.prediction[i], 8);
    }
    // Series of different sizes have different bases in units (the level transform).
    expect(new Set(Array.from(c.base, (b) => b.toFixed(6))).size).toBe(6);
    expect(c.dates[0]).toBe(forecast.dates[0]);
  });

  test('history contributions cover the observed rows of the requested window', () => {
    const last = fit.history.dates[fit.history.offsets[1] - 1];
    const c = explainHistory(fit.internals, 'gbm', fit.history, { from: last - 13, to: last });
    expect(c.prediction.length).toBeGreaterThan(60);
    expect(c.prediction.length).toBeLessThanOrEqual(6 * 14);
    expect(Math.min(...c.dates)).toBeGreaterThanOrEqual(last - 13);
    expect(c.maxAdditivityError).toBeLessThan(1e-9);
    // The price driver is non-zero somewhere: the model uses the demo's discounts.
    const price = DRIVERS.indexOf('price');
    expect(c.byDriver.some((_, k) => k % DRIVERS.length === price && Math.abs(c.byDriver[k]) > 1e-6)).toBe(
      true,
    );
  });
});

test('a linear global model is explained with its exact contributions; local models are not explainable', () => {
  const fit = fitDemoForecaster({
    stores: 1,
    products: 2,
    days: 120,
    h: 7,
    strategy: 'direct',
    trees: 5,
    features: 'compact',
  });
  const forecaster = new Forecaster({
    models: {
      linear: () => globalModel({ learner: () => new Ridge({ alpha: 1 }) }),
      naive: () => seasonalNaiveModel(7),
    },
    lags: [7, 14],
    strategy: 'recursive',
    quantiles: [],
  });
  expect(() => forecasterInternals(forecaster)).toThrow(/not fitted/);
  forecaster.fit(fit.history, { h: 7 });
  const internals = forecasterInternals(forecaster);
  expect([...internals.models.keys()]).toEqual(['linear']);
  const forecast = forecaster.predict(7, { history: fit.history, future: fit.panel });
  const c = explainForecast(internals, 'linear', forecast, { history: fit.history, future: fit.panel });
  // Units sold are never negative, so the forecaster floors a negative model value at 0; the
  // explanation stays that of the model's own value.
  for (let i = 0; i < c.prediction.length; i++)
    expect(Math.max(0, c.prediction[i])).toBeCloseTo(forecast.models.linear.yhat[i], 6);
  expect(() => explainForecast(internals, 'naive', forecast, { history: fit.history })).toThrow(/no learner/);
});

test('driverRows shapes contributions for JSON, with multipliers only for log links', () => {
  const c = {
    seriesIds: ['S1/P1'],
    series: Int32Array.of(0),
    dates: Int32Array.of(19723),
    prediction: Float64Array.of(12),
    base: Float64Array.of(10),
    featureNames: ['discount_pct'],
    values: Float64Array.of(2),
    byDriver: Float64Array.from(DRIVERS, (d) => (d === 'price' ? 2 : 0)),
    link: 'log' as const,
    rawByDriver: Float64Array.from(DRIVERS, (d) => (d === 'price' ? Math.log(1.2) : 0)),
    maxAdditivityError: 0,
  };
  const [row] = driverRows(c);
  expect(row).toMatchObject({
    seriesId: 'S1/P1',
    date: '2024-01-01',
    prediction: 12,
    base: 10,
    drivers: { price: 2 },
  });
  expect(row.multipliers?.price).toBeCloseTo(1.2, 12);
  expect(driverRows({ ...c, link: 'identity' })[0].multipliers).toBeUndefined();
});
