import { describe, expect, it } from 'vitest';
import { NotFittedError, SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { matrixFromColumns } from './estimator.js';
import { deserializeLearner, Ridge, VotingRegressor } from './index.js';

function data(seed: number, n = 80) {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => 3 * a[i] - b[i] + rng.normal() * 0.5);
  return { X: matrixFromColumns([a, b]), y };
}

describe('VotingRegressor', () => {
  it('predicts the weighted average of its members', () => {
    const { X, y } = data(1);
    const r1 = new Ridge({ alpha: 0.1 });
    const r2 = new Ridge({ alpha: 100 });
    const v = new VotingRegressor({ members: [r1, r2], weights: [3, 1] }).fit(X, y);
    const p1 = r1.predict(X);
    const p2 = r2.predict(X);
    const p = v.predict(X);
    for (let i = 0; i < X.nRows; i++) expect(p[i]).toBeCloseTo((3 * p1[i] + p2[i]) / 4, 12);
    // The two members really differ, so the weights matter.
    expect(Math.abs(p1[0] - p2[0])).toBeGreaterThan(0.01);
  });

  it('averages equally without weights, and ignores zero-weight members', () => {
    const { X, y } = data(2);
    const r1 = new Ridge({ alpha: 0.1 }).fit(X, y);
    const r2 = new Ridge({ alpha: 50 }).fit(X, y);
    const equal = new VotingRegressor({ members: [r1, r2] });
    const onlyFirst = new VotingRegressor({ members: [r1, r2], weights: [1, 0] });
    const row = new Float64Array([0.7, -1.2]);
    // Pre-fitted members need no fit of the ensemble.
    expect(equal.predictRow(row)).toBeCloseTo((r1.predictRow(row) + r2.predictRow(row)) / 2, 12);
    expect(onlyFirst.predictRow(row)).toBe(r1.predictRow(row));
  });

  it('reports unfitted members as the ensemble not being fitted', () => {
    const v = new VotingRegressor({ members: [new Ridge()] });
    expect(() => v.predict(matrixFromColumns([[1]]))).toThrow(NotFittedError);
    expect(() => v.predictRow(new Float64Array([1]))).toThrow(
      'This VotingRegressor instance is not fitted yet',
    );
  });

  it('validates weights: count, sign, and not all zero', () => {
    const { X, y } = data(3);
    const messages = [
      [{ weights: [1] }, 'must be an array with one weight per member (2); got [1] instead.'],
      [{ weights: [1, -1] }, 'must be an array of numbers in [0, ∞) or null; got [1, -1] instead.'],
      [{ weights: [0, 0] }, 'must be non-negative and not all zero; got [0, 0] instead.'],
    ] as const;
    for (const [opts, message] of messages) {
      const v = new VotingRegressor({ members: [new Ridge(), new Ridge()], ...opts });
      expect(() => v.fit(X, y)).toThrow(`The 'weights' parameter of VotingRegressor ${message}`);
    }
    expect(() => new VotingRegressor({ members: [] }).fit(X, y)).toThrow(SalescastError);
  });

  it('round-trips through deserializeLearner with nested member artifacts', () => {
    const { X, y } = data(4);
    const v = new VotingRegressor({
      members: [new Ridge({ alpha: 0.5 }), new VotingRegressor({ members: [new Ridge({ alpha: 5 })] })],
      weights: [2, 1],
    }).fit(X, y);
    const restored = deserializeLearner(v.serialize());
    expect(restored).toBeInstanceOf(VotingRegressor);
    const a = v.predict(X);
    const b = restored.predict(X);
    expect(new Uint8Array(b.buffer)).toEqual(new Uint8Array(a.buffer));
    expect(() => restored.predictRow(new Float64Array(3))).toThrow(
      'X has 3 features, but VotingRegressor was fitted with 2 features.',
    );
  });
});
