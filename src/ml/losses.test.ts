import { describe, expect, it } from 'vitest';
import { createLoss, LOSS_NAMES, type LossName, weightedQuantile } from './losses.js';

const OPTIONS = { huberDelta: 0.7, alpha: 0.3, tweedieVariancePower: 1.4 };

/** Raw scores and targets away from the kinks of the non-smooth losses. */
function cases(name: LossName): Array<[number, number]> {
  const ys = name === 'poisson' || name === 'tweedie' ? [0, 0.5, 3, 12] : [-2.3, 0, 1.1, 4];
  const raws = [-1.7, -0.2, 0.45, 1.3, 2.6];
  const out: Array<[number, number]> = [];
  for (const y of ys)
    for (const r of raws)
      if (Math.abs(Math.abs(r - y) - OPTIONS.huberDelta) > 1e-3 && r !== y) out.push([y, r]);
  return out;
}

describe('losses', () => {
  it.each(LOSS_NAMES)('%s: the gradient is the derivative of the loss (central differences)', (name) => {
    const loss = createLoss(name, OPTIONS);
    const h = 1e-6;
    for (const [y, r] of cases(name)) {
      const g = new Float64Array(1);
      const H = new Float64Array(1);
      loss.gradients(Float64Array.of(y), Float64Array.of(r), undefined, g, H);
      const fd = (loss.loss(y, r + h) - loss.loss(y, r - h)) / (2 * h);
      expect(g[0]).toBeCloseTo(fd, 5);
    }
  });

  it.each(LOSS_NAMES)(
    '%s: the hessian is the derivative of the gradient where the loss is smooth',
    (name) => {
      const loss = createLoss(name, OPTIONS);
      const h = 1e-6;
      const grad = (y: number, r: number) => {
        const g = new Float64Array(1);
        loss.gradients(Float64Array.of(y), Float64Array.of(r), undefined, g, new Float64Array(1));
        return g[0];
      };
      for (const [y, r] of cases(name)) {
        const H = new Float64Array(1);
        loss.gradients(Float64Array.of(y), Float64Array.of(r), undefined, new Float64Array(1), H);
        const fd = (grad(y, r + h) - grad(y, r - h)) / (2 * h);
        const piecewiseLinear =
          name === 'absolute' ||
          name === 'quantile' ||
          (name === 'huber' && Math.abs(r - y) > OPTIONS.huberDelta);
        // Where the true second derivative is 0 the loss uses the documented surrogate 1.
        if (piecewiseLinear) {
          expect(fd).toBeCloseTo(0, 6);
          expect(H[0]).toBe(1);
        } else {
          expect(H[0]).toBeCloseTo(fd, 4);
        }
      }
    },
  );

  it('weights scale the gradient and hessian', () => {
    const loss = createLoss('tweedie', OPTIONS);
    const g = new Float64Array(2);
    const H = new Float64Array(2);
    loss.gradients(Float64Array.of(2, 2), Float64Array.of(0.3, 0.3), Float64Array.of(1, 2.5), g, H);
    expect(g[1]).toBeCloseTo(2.5 * g[0], 12);
    expect(H[1]).toBeCloseTo(2.5 * H[0], 12);
  });

  it.each(LOSS_NAMES)('%s: the initial score minimises the mean loss over constants', (name) => {
    const loss = createLoss(name, OPTIONS);
    const y = Float64Array.of(0.5, 1, 1.5, 2, 7, 3, 0.2, 4.4);
    const mean = (c: number) => y.reduce((s, v) => s + loss.loss(v, c), 0) / y.length;
    const c0 = loss.initScore(y, undefined);
    for (const d of [-0.3, -0.05, 0.05, 0.3]) expect(mean(c0)).toBeLessThanOrEqual(mean(c0 + d) + 1e-12);
  });

  it('the log-link losses invert with exp and reject negative or all-zero targets', () => {
    const loss = createLoss('poisson');
    expect(loss.link).toBe('log');
    expect(loss.inverseLink(Math.log(3))).toBeCloseTo(3, 12);
    expect(() => loss.checkTarget(Float64Array.of(1, -1))).toThrow(/non-negative target; row 1 has -1/);
    expect(() => loss.checkTarget(Float64Array.of(0, 0))).toThrow(/not all zero/);
    expect(() => createLoss('squared').checkTarget(Float64Array.of(Number.NaN))).toThrow(/non-finite/);
  });

  it('only the absolute and quantile losses re-estimate leaves, at their quantile', () => {
    expect(LOSS_NAMES.map((n) => createLoss(n, OPTIONS).leafQuantile)).toEqual([
      undefined,
      0.5,
      undefined,
      0.3,
      undefined,
      undefined,
    ]);
  });
});

describe('weightedQuantile', () => {
  it('is the lower quantile, with and without weights', () => {
    const v = Float64Array.of(5, 1, 4, 2, 3);
    expect(weightedQuantile(v, undefined, 0.5)).toBe(3);
    expect(weightedQuantile(v, undefined, 0.2)).toBe(1);
    expect(weightedQuantile(v, undefined, 1)).toBe(5);
    // Weight 10 on value 5 moves the median to it.
    expect(weightedQuantile(v, Float64Array.of(10, 1, 1, 1, 1), 0.5)).toBe(5);
    expect(weightedQuantile(v, Float64Array.of(0, 1, 1, 1, 1), 1)).toBe(4);
    expect(Array.from(v)).toEqual([5, 1, 4, 2, 3]);
  });
});
