import { describe, expect, test } from 'vitest';
import { normalCdf, normalLoss, normalPdf, normalQuantile } from './normal.js';

describe('standard normal', () => {
  test('matches tabulated values', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804, 9);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644853627)).toBeCloseTo(0.05, 6);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306, 7);
  });

  test('quantile inverts the distribution function', () => {
    for (const p of [0.01, 0.1, 0.3, 0.5, 0.8, 0.99]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  test('loss function: L(0) = φ(0), L(z) − L(−z) = −z', () => {
    expect(normalLoss(0)).toBeCloseTo(0.3989422804, 7);
    expect(normalLoss(1.5) - normalLoss(-1.5)).toBeCloseTo(-1.5, 6);
    expect(normalLoss(1.2816)).toBeCloseTo(0.04734, 4);
  });

  test('quantile outside (0, 1)', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
