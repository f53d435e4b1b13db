import { expect, test } from 'vitest';
import { Forecaster } from '../forecast/forecaster.js';
import { explainForecast } from './contributions.js';
import { internalsFromArtifact } from './forecaster-internals.js';
import { fitDemoForecaster } from './testing/demo-forecaster.js';

test('a forecaster restored from its artifact is explained like the original', () => {
  const fit = fitDemoForecaster({
    stores: 1,
    products: 2,
    days: 150,
    h: 7,
    strategy: 'recursive',
    trees: 20,
    features: 'full',
  });
  const bytes = fit.forecaster.serialize();
  const restored = Forecaster.deserialize(bytes);
  const forecast = restored.predict(7, { history: fit.history, future: fit.panel });
  const a = explainForecast(internalsFromArtifact(bytes), 'gbm', forecast, {
    history: fit.history,
    future: fit.panel,
  });
  const b = explainForecast(fit.internals, 'gbm', forecast, { history: fit.history, future: fit.panel });
  expect(Array.from(a.values)).toEqual(Array.from(b.values));
  for (let i = 0; i < a.prediction.length; i++)
    expect(a.prediction[i]).toBeCloseTo(forecast.models.gbm.yhat[i], 8);
});

test('an artifact that is not a forecaster is rejected', () => {
  expect(() => internalsFromArtifact(new Uint8Array([1, 2, 3]))).toThrow();
});
