import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

describe('createRng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('keeps its stream across releases: saved seeds must keep giving the same models', () => {
    // xoshiro128** seeded through splitmix32 with 42: the values the implementation drew before its
    // state became an Int32Array.
    const r = createRng(42);
    expect([r.next(), r.next(), r.next()]).toEqual([
      0.6606157226487994, 0.12688010395504534, 0.11170196393504739,
    ]);
    const forked = r.fork();
    expect([r.int(1000), r.int(1000)]).toEqual([79, 26]);
    expect(forked.next()).toBe(0.20256725093349814);
  });

  it('draws uniforms in [0, 1) with mean near 1/2', () => {
    const rng = createRng(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const rng = createRng(2);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(s / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(1, 1);
  });

  it.each([0.5, 4, 50])('draws Poisson counts with mean and variance lambda = %d', (lambda) => {
    const rng = createRng(3);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const k = rng.poisson(lambda);
      expect(Number.isInteger(k) && k >= 0).toBe(true);
      s += k;
      s2 += k * k;
    }
    const mean = s / n;
    expect(Math.abs(mean - lambda) / lambda).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - mean * mean - lambda) / lambda).toBeLessThan(0.05);
  });

  it('draws gamma variates with mean equal to the shape', () => {
    const rng = createRng(4);
    for (const shape of [0.5, 2, 9]) {
      let s = 0;
      for (let i = 0; i < 50_000; i++) s += rng.gamma(shape);
      expect(Math.abs(s / 50_000 - shape) / shape).toBeLessThan(0.03);
    }
  });

  it('shuffles into a permutation', () => {
    const v = Array.from({ length: 50 }, (_, i) => i);
    createRng(5).shuffle(v);
    expect([...v].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(v).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
