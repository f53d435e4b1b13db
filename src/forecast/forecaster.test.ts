import { describe, expect, it } from 'vitest';
import { dayFromParts } from '../core/dates.js';
import { ewm, rollingMean } from '../features/lag-features.js';
import { buildPanel, type Panel, panelThrough } from '../features/panel.js';
import type { FeatureMatrix, Regressor } from '../ml/estimator.js';
import { GradientBoosting, Ridge } from '../ml/index.js';
import { Forecaster, type ForecasterOptions } from './forecaster.js';
import { globalModel } from './global-model.js';
import { seasonalNaiveModel } from './local-models.js';
import { levelTransform } from './target-transforms.js';

/** Daily series with a weekly pattern, a level per series, a known driver and noise. */
function synthetic(nSeries: number, days: number, seed = 1): Panel {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  const promo: number[] = [];
  const start = dayFromParts(2023, 1, 2);
  for (let s = 0; s < nSeries; s++) {
    for (let t = 0; t < days; t++) {
      const p = rand() < 0.15 ? 1 : 0;
      seriesId.push(`s${s}`);
      date.push(start + t);
      promo.push(p);
      y.push((10 + 5 * s) * (1 + 0.4 * ((t % 7) / 6)) * (1 + 0.5 * p) + 2 * (rand() - 0.5));
    }
  }
  return buildPanel({ seriesId, date, y, exog: { promo } });
}

/** A Ridge that calls `onFit` with the matrix of each fit. */
function observedRidge(onFit: (X: FeatureMatrix) => void, alpha = 1): () => Regressor {
  return () => {
    const inner = new Ridge({ alpha });
    return {
      name: 'Ridge',
      params: inner.params,
      fit(X: FeatureMatrix, y: Float64Array) {
        onFit(X);
        inner.fit(X, y);
        return this;
      },
      predict: (X: FeatureMatrix) => inner.predict(X),
      predictRow: (row: Float64Array) => inner.predictRow(row),
      serialize: () => inner.serialize(),
    };
  };
}

/** A Ridge that counts its fits, to check how often a backtest trains. */
function countingRidge(counter: { fits: number }, alpha = 1): () => Regressor {
  return observedRidge(() => counter.fits++, alpha);
}

const small: Partial<ForecasterOptions> = {
  lags: [1, 7, 14],
  lagTransforms: {},
  quantiles: [],
};

describe('Forecaster', () => {
  it('reproduces an oracle driver: if y equals a driver, the forecast equals it', () => {
    const base = synthetic(3, 120);
    const x = Float64Array.from(base.y, (v) => v * 3 + 1);
    const panel: Panel = { ...base, y: x.slice(), exog: { oracle: x } };
    const history = panelThrough(panel, panel.dates[99]);
    for (const strategy of ['recursive', 'direct'] as const) {
      const f = new Forecaster({
        models: { ridge: () => globalModel({ learner: () => new Ridge({ alpha: 1e-9 }) }) },
        lags: [],
        lagTransforms: {},
        dateFeatures: [],
        seriesId: false,
        quantiles: [],
        strategy,
      }).fit(history, { h: 14 });
      const out = f.predict(14, { future: panel });
      for (let s = 0; s < 3; s++) {
        for (let k = 0; k < 14; k++) {
          expect(out.models.ridge.yhat[s * 14 + k]).toBeCloseTo(x[panel.offsets[s] + 100 + k], 6);
        }
      }
    }
  });

  it('forecasts a driver given for no forecast period at its recent typical value, not as missing', () => {
    const panel = synthetic(3, 150);
    const history = panelThrough(panel, panel.dates[119]);
    const f = new Forecaster({
      ...small,
      models: {
        gbm: () => globalModel({ learner: () => new GradientBoosting({ nEstimators: 30, nThreads: 1 }) }),
      },
    }).fit(history, { h: 7 });
    expect(f.knownDrivers).toEqual(['promo']);
    expect(Forecaster.deserialize(f.serialize()).knownDrivers).toEqual(['promo']);
    // About 15% of days are promoted: the lower median of the last 28 flags is 0.
    const noPromo = { ...panel, exog: { promo: new Float64Array(panel.y.length) } };
    const unknown = f.predict(7).models.gbm.yhat;
    expect([...unknown]).toEqual([...f.predict(7, { future: noPromo }).models.gbm.yhat]);
    // The flag matters to the model: a promotion every day forecasts otherwise.
    const allPromo = { ...panel, exog: { promo: new Float64Array(panel.y.length).fill(1) } };
    expect([...unknown]).not.toEqual([...f.predict(7, { future: allPromo }).models.gbm.yhat]);
  });

  it('refit: 2 over 4 windows trains exactly 2 models', () => {
    const counter = { fits: 0 };
    const f = new Forecaster({
      ...small,
      models: { ridge: () => globalModel({ learner: countingRidge(counter) }) },
    });
    const cv = f.crossValidation(synthetic(2, 200), { h: 7, nWindows: 4, refit: 2 });
    expect(cv.fits).toBe(2);
    expect(counter.fits).toBe(2);
    expect(new Set(cv.cutoff).size).toBe(4);
    expect(cv.y.length).toBe(4 * 2 * 7);
    counter.fits = 0;
    f.crossValidation(synthetic(2, 200), { h: 7, nWindows: 4, refit: true });
    expect(counter.fits).toBe(4);
  });

  it('backtest rows carry their cutoff and never see past it', () => {
    const panel = synthetic(2, 150);
    const f = new Forecaster({ ...small, models: { naive: () => seasonalNaiveModel(7) } });
    const cv = f.crossValidation(panel, { h: 5, nWindows: 3, step: 4 });
    const last = panel.dates[panel.offsets[1] - 1];
    expect([...new Set(cv.cutoff)]).toEqual([last - 13, last - 9, last - 5]);
    for (let i = 0; i < cv.y.length; i++) {
      expect(cv.date[i] - cv.cutoff[i]).toBe(cv.step[i] + 1);
      // Seasonal naive repeats the value one week before the forecast date, on or before the cutoff.
      const s = cv.series[i];
      const back = cv.date[i] - 7 * Math.ceil((cv.step[i] + 1) / 7);
      expect(cv.models.naive.yhat[i]).toBe(panel.y[panel.offsets[s] + back - panel.dates[panel.offsets[s]]]);
    }
  });

  it('no forecast changes when the future target changes (recursive, direct, intervals, ensemble)', () => {
    const panel = synthetic(3, 160);
    const cutoff = panel.dates[129];
    const shifted: Panel = {
      ...panel,
      y: panel.y.map((v, r) => (panel.dates[r] > cutoff ? v * 10 + 1000 : v)),
    };
    for (const strategy of ['recursive', 'direct'] as const) {
      const options: ForecasterOptions = {
        models: {
          gbm: () => globalModel({ learner: () => new GradientBoosting({ nEstimators: 10, nThreads: 1 }) }),
          naive: () => seasonalNaiveModel(7),
        },
        lags: [1, 7, 14],
        strategy,
        ensemble: true,
        calibrationWindows: 1,
        targetTransforms: () => [levelTransform(28)],
      };
      // Every member fitted, whatever its weight, so that each one's forecasts are checked.
      const a = new Forecaster(options)
        .fit(panelThrough(panel, cutoff), { h: 14, everyMember: true })
        .predict(14, { future: panel });
      const b = new Forecaster(options)
        .fit(panelThrough(shifted, cutoff), { h: 14, everyMember: true })
        .predict(14, { future: shifted });
      for (const name of ['gbm', 'naive', 'ensemble']) {
        expect([...b.models[name].yhat]).toEqual([...a.models[name].yhat]);
        expect([...b.models[name].quantiles.get(0.9)!]).toEqual([...a.models[name].quantiles.get(0.9)!]);
      }
      // A backtest window's forecasts ignore every target after its cutoff.
      const cvA = new Forecaster(options).crossValidation(panel, { h: 7, nWindows: 2 });
      const first = cvA.cutoff[0];
      const later: Panel = { ...panel, y: panel.y.map((v, r) => (panel.dates[r] > first ? -v : v)) };
      const cvB = new Forecaster(options).crossValidation(later, { h: 7, nWindows: 2 });
      const windowRows = [...cvA.cutoff].map((c, i) => (c === first ? i : -1)).filter((i) => i >= 0);
      expect(windowRows.length).toBe(3 * 7);
      for (const i of windowRows) {
        expect(cvB.models.ensemble.yhat[i]).toBe(cvA.models.ensemble.yhat[i]);
        expect(cvB.models.gbm.quantiles.get(0.1)![i]).toBe(cvA.models.gbm.quantiles.get(0.1)![i]);
      }
    }
  });

  it('forecasts every series h steps with non-crossing quantiles and learns ensemble weights', () => {
    const panel = synthetic(4, 150);
    const f = new Forecaster({
      models: {
        gbm: () => globalModel({ learner: () => new GradientBoosting({ nEstimators: 15, nThreads: 1 }) }),
        naive: () => seasonalNaiveModel(7),
      },
      ensemble: true,
      quantiles: [0.9, 0.1, 0.5, 0.25],
      targetTransforms: () => [levelTransform(28)],
    }).fit(panel, { h: 10, everyMember: true });
    const out = f.predict(10);
    expect(out.seriesIds).toEqual(['s0', 's1', 's2', 's3']);
    expect(out.dates[0]).toBe(panel.dates[panel.offsets[1] - 1] + 1);
    const w = [...f.weights.values()];
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const name of ['gbm', 'naive', 'ensemble']) {
      const q = out.models[name].quantiles;
      expect([...q.keys()].sort()).toEqual([0.1, 0.25, 0.5, 0.9]);
      for (let i = 0; i < 40; i++) {
        expect(q.get(0.1)![i]).toBeLessThanOrEqual(q.get(0.25)![i]);
        expect(q.get(0.25)![i]).toBeLessThanOrEqual(q.get(0.5)![i]);
        expect(q.get(0.5)![i]).toBeLessThanOrEqual(q.get(0.9)![i]);
        expect(Number.isFinite(out.models[name].yhat[i])).toBe(true);
      }
    }
  });

  it('takes quantiles from quantile-loss learners when asked, conformal for the other models', () => {
    const panel = synthetic(2, 120);
    const make = (intervalMethod: 'conformal' | 'quantile-loss') =>
      new Forecaster({
        models: {
          gbm: () =>
            globalModel({
              learner: () => new GradientBoosting({ nEstimators: 10, nThreads: 1 }),
              quantileLearner: (alpha) =>
                new GradientBoosting({ nEstimators: 10, nThreads: 1, loss: 'quantile', alpha }),
            }),
          naive: () => seasonalNaiveModel(7),
        },
        lags: [7],
        lagTransforms: {},
        quantiles: [0.1, 0.9],
        intervalMethod,
        calibrationWindows: 1,
        strategy: 'direct',
      }).fit(panel, { h: 7 });
    const ql = make('quantile-loss').predict(7);
    const cf = make('conformal').predict(7);
    expect([...ql.models.gbm.yhat]).toEqual([...cf.models.gbm.yhat]);
    expect([...ql.models.gbm.quantiles.get(0.9)!]).not.toEqual([...cf.models.gbm.quantiles.get(0.9)!]);
    expect([...ql.models.naive.quantiles.get(0.9)!]).toEqual([...cf.models.naive.quantiles.get(0.9)!]);
    for (let i = 0; i < 14; i++)
      expect(ql.models.gbm.quantiles.get(0.1)![i]).toBeLessThanOrEqual(ql.models.gbm.quantiles.get(0.9)![i]);
  });

  it('rejects a bad horizon and predicting before fit', () => {
    const f = new Forecaster({ models: { naive: () => seasonalNaiveModel(7) } });
    expect(() => f.predict(3)).toThrow(/not fitted/);
    expect(() => f.fit(synthetic(1, 30), { h: 0 })).toThrow(/horizon/);
  });
});

describe('Forecaster members with the same training set', () => {
  const recordingRidge = (seen: FeatureMatrix[], alpha: number) => observedRidge((X) => seen.push(X), alpha);
  const options = (seen: FeatureMatrix[]): ForecasterOptions => ({
    ...small,
    models: {
      direct: () => globalModel({ learner: recordingRidge(seen, 1), strategy: 'direct' }),
      direct_stiff: () => globalModel({ learner: recordingRidge(seen, 50), strategy: 'direct' }),
      recursive: () => globalModel({ learner: recordingRidge(seen, 1), strategy: 'recursive' }),
    },
  });

  it('train on one matrix, and forecast as when each is fitted alone', () => {
    const panel = synthetic(3, 120);
    const seen: FeatureMatrix[] = [];
    const f = new Forecaster(options(seen)).fit(panel, { h: 7 });
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[0]);
    // The direct members' matrix has no lag under the horizon; the recursive member's has lag 1.
    expect(seen[2].nCols).toBeGreaterThan(seen[0].nCols);
    const together = f.predict(7).models;
    for (const name of ['direct', 'direct_stiff', 'recursive']) {
      const { models } = options([]);
      const alone = new Forecaster({ ...options([]), models: { [name]: models[name] } }).fit(panel, { h: 7 });
      expect([...alone.predict(7).models[name].yhat]).toEqual([...together[name].yhat]);
    }
  });
});

describe('Forecaster ensemble members with no weight', () => {
  // A ridge that can only learn the mean (a huge penalty) is far worse than the boosting, so the
  // backtest weights leave it out.
  const options = (counter: { fits: number }): ForecasterOptions => ({
    models: {
      // First, so that the artifact's order of members is checked.
      flat: () => globalModel({ learner: countingRidge(counter, 1e12), strategy: 'direct' }),
      gbm: () => globalModel({ learner: () => new GradientBoosting({ nEstimators: 20, nThreads: 1 }) }),
    },
    lags: [1, 7, 14],
    ensemble: true,
    calibrationWindows: 2,
    targetTransforms: () => [levelTransform(28)],
  });

  it('are weighed but not fitted, and the ensemble forecast is the one with them fitted', () => {
    const panel = synthetic(3, 160);
    const counter = { fits: 0 };
    const f = new Forecaster(options(counter)).fit(panel, { h: 7 });
    expect(f.weights.get('flat')).toBe(0);
    expect(f.weights.get('gbm')).toBe(1);
    // The calibration backtest fitted it once, at its first window's cutoff, for both windows; the
    // final fit did not.
    expect(counter.fits).toBe(1);
    const every = new Forecaster(options(counter)).fit(panel, { h: 7, everyMember: true });
    expect(counter.fits).toBe(3);
    const a = f.predict(7);
    const b = every.predict(7);
    expect(Object.keys(a.models).sort()).toEqual(['ensemble', 'gbm']);
    expect(Object.keys(b.models).sort()).toEqual(['ensemble', 'flat', 'gbm']);
    expect([...a.models.ensemble.yhat]).toEqual([...b.models.ensemble.yhat]);
    expect([...a.models.ensemble.quantiles.get(0.9)!]).toEqual([...b.models.ensemble.quantiles.get(0.9)!]);
    expect(f.modelNames).toEqual(['flat', 'gbm', 'ensemble']);
  });

  it('are fitted in every window of a backtest, which reports them', () => {
    const counter = { fits: 0 };
    const cv = new Forecaster(options(counter)).crossValidation(synthetic(3, 160), { h: 7, nWindows: 2 });
    // Per window: the calibration fit and the final one.
    expect(counter.fits).toBe(4);
    expect(cv.models.flat.yhat).toHaveLength(cv.y.length);
    expect(cv.models.ensemble.yhat).toHaveLength(cv.y.length);
  });

  it('keep their configuration in the artifact, so a refit of the restored forecaster weighs them again', () => {
    const panel = synthetic(3, 160);
    const f = new Forecaster(options({ fits: 0 })).fit(panel, { h: 7 });
    const g = Forecaster.deserialize(f.serialize());
    expect(g.modelNames).toEqual(f.modelNames);
    expect([...g.weights]).toEqual([...f.weights]);
    expect([...g.predict(7).models.ensemble.yhat]).toEqual([...f.predict(7).models.ensemble.yhat]);
    // The restored options make the member afresh, with its own strategy and penalty: a backtest
    // that refits the restored forecaster scores it as the original's backtest does.
    const original = new Forecaster(options({ fits: 0 })).crossValidation(panel, { h: 7, nWindows: 1 });
    const restored = new Forecaster(g.options).crossValidation(panel, { h: 7, nWindows: 1 });
    expect([...restored.models.flat.yhat]).toEqual([...original.models.flat.yhat]);
    expect([...restored.models.ensemble.yhat]).toEqual([...original.models.ensemble.yhat]);
  });
});

describe('Forecaster serialization', () => {
  it('round-trips a fitted forecaster: identical forecasts, quantiles and weights, and it can refit', () => {
    const panel = synthetic(3, 180);
    const f = new Forecaster({
      models: {
        gbm: () =>
          globalModel({
            learner: () => new GradientBoosting({ nEstimators: 15, nThreads: 1 }),
            trainWindow: 120,
          }),
        // Its own strategy, kept through serialisation and refits.
        ridge: () => globalModel({ learner: () => new Ridge({ alpha: 2 }), strategy: 'direct' }),
        naive: () => seasonalNaiveModel(7),
      },
      lags: [1, 7],
      lagTransforms: { 1: [rollingMean(7), ewm(0.3)] },
      ensemble: true,
      strategy: 'recursive',
      targetTransforms: () => [levelTransform(28)],
    }).fit(panel, { h: 7, everyMember: true });
    const bytes = f.serialize();
    const g = Forecaster.deserialize(bytes);
    const a = f.predict(7);
    const b = g.predict(7);
    expect(g.modelNames).toEqual(f.modelNames);
    expect([...g.weights]).toEqual([...f.weights]);
    for (const name of f.modelNames) {
      expect([...b.models[name].yhat]).toEqual([...a.models[name].yhat]);
      expect([...b.models[name].quantiles.get(0.1)!]).toEqual([...a.models[name].quantiles.get(0.1)!]);
    }
    // A newer history forecasts from its own end without refitting.
    const later = g.predict(7, { history: panelThrough(synthetic(3, 200), synthetic(3, 200).dates[189]) });
    expect(later.dates[0]).toBe(a.dates[0] + 10);
    const refit = g.crossValidation(panel, { h: 7, nWindows: 1 });
    expect(refit.fits).toBe(1);
    expect(() => Forecaster.deserialize(bytes.subarray(0, 100))).toThrow(/Invalid model artifact/);
  });

  it('keeps a member’s own strategy: a direct member of a recursive forecaster', () => {
    const panel = synthetic(2, 120);
    const options: ForecasterOptions = {
      models: { ridge: () => globalModel({ learner: () => new Ridge({ alpha: 1 }), strategy: 'direct' }) },
      lags: [1, 7],
      strategy: 'recursive',
      quantiles: [],
    };
    const f = new Forecaster(options).fit(panel, { h: 7 });
    for (const g of [f, Forecaster.deserialize(f.serialize())]) {
      expect(g.predict(7).models.ridge.yhat).toHaveLength(14);
      // A recursive model could forecast further; a direct one only up to its horizon.
      expect(() => g.predict(8)).toThrow(/direct model trained for horizon 7/);
    }
  });
});
