import { expect, test } from 'vitest';
import { seekTarget } from './goal-seek.js';

test('finds the smallest increase reaching the target on a monotone response', () => {
  const r = seekTarget({ lo: 0, hi: 30, origin: 0, target: 150, evaluate: (x) => 100 * 1.02 ** x });
  expect(r.reachable).toBe(true);
  const exact = Math.log(1.5) / Math.log(1.02);
  expect(r.x).toBeGreaterThanOrEqual(exact);
  expect(r.x - exact).toBeLessThan(0.01);
  expect(r.achieved).toBeGreaterThanOrEqual(150);
  expect(r.baseline).toBe(100);
});

test('searches downwards when the target is below the current response', () => {
  // Price multiplier: higher price sells less.
  const r = seekTarget({ lo: 0.8, hi: 1.3, origin: 1, target: 90, evaluate: (x) => 100 * x ** -2 });
  expect(r.reachable).toBe(true);
  expect(r.x).toBeCloseTo(Math.sqrt(100 / 90), 2);
  expect(r.x).toBeGreaterThan(1);
});

test('a step response stops at the step that reaches the target', () => {
  const r = seekTarget({
    lo: 0,
    hi: 40,
    origin: 0,
    target: 120,
    evaluate: (x) => (x < 12.5 ? 100 : x < 25 ? 125 : 160),
  });
  expect(r.reachable).toBe(true);
  expect(r.x).toBeGreaterThanOrEqual(12.5);
  expect(r.x).toBeLessThan(12.6);
  expect(r.achieved).toBe(125);
});

test('an unreachable target says so and returns the best achievable value', () => {
  const r = seekTarget({ lo: 0, hi: 30, origin: 0, target: 500, evaluate: (x) => 100 + 2 * x });
  expect(r.reachable).toBe(false);
  expect(r.x).toBe(30);
  expect(r.achieved).toBe(160);
});

test('a target already met needs no change', () => {
  const r = seekTarget({ lo: 0, hi: 30, origin: 0, target: 80, evaluate: () => 80 });
  expect(r).toMatchObject({ reachable: true, x: 0, achieved: 80, evaluations: 1 });
});

test('bounds that exclude the current value are rejected', () => {
  expect(() => seekTarget({ lo: 5, hi: 30, origin: 0, target: 50, evaluate: () => 1 })).toThrow(/bounds/);
});
