import { expect, test } from 'vitest';
import { globalImportance } from './global-importance.js';
import { fitDemoForecaster } from './testing/demo-forecaster.js';

test('global importance ranks features and drivers by gain, shares summing to 1', () => {
  const fit = fitDemoForecaster({
    stores: 2,
    products: 3,
    days: 200,
    h: 7,
    strategy: 'direct',
    trees: 40,
    features: 'full',
  });
  const ranking = globalImportance(fit.internals.models.get('gbm')!);
  expect(ranking.method).toBe('gain');
  expect(ranking.features.reduce((s, f) => s + f.share, 0)).toBeCloseTo(1, 9);
  expect(ranking.drivers.reduce((s, d) => s + d.share, 0)).toBeCloseTo(1, 9);
  for (let k = 1; k < ranking.features.length; k++)
    expect(ranking.features[k].share).toBeLessThanOrEqual(ranking.features[k - 1].share);
  // Each driver's share is the sum of its features' shares.
  const trend = ranking.features.filter((f) => f.driver === 'trend').reduce((s, f) => s + f.share, 0);
  expect(ranking.drivers.find((d) => d.driver === 'trend')?.share).toBeCloseTo(trend, 9);
  // Demo sales are driven by level, season, price and promotions; these rank in the top drivers.
  expect(ranking.drivers.slice(0, 4).map((d) => d.driver)).toContain('trend');
});
