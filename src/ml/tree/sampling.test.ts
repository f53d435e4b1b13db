import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { selectFeatures, selectRows } from './sampling.js';

describe('row and feature sampling', () => {
  it('selects k distinct rows, ascending, the same for the same seed', () => {
    const a = new Int32Array(100);
    const b = new Int32Array(100);
    expect(selectRows(100, 30, createRng(7), a)).toBe(30);
    selectRows(100, 30, createRng(7), b);
    const rows = [...a.subarray(0, 30)];
    expect(rows).toEqual([...b.subarray(0, 30)]);
    expect(rows).toEqual([...rows].sort((x, y) => x - y));
    expect(new Set(rows).size).toBe(30);
    expect(rows.every((r) => r >= 0 && r < 100)).toBe(true);
  });

  it('writes the rows not chosen, ascending, on request, drawing the same rows', () => {
    const chosen = new Int32Array(10);
    const alone = new Int32Array(10);
    const rest = new Int32Array(10);
    const k = selectRows(10, 4, createRng(3), chosen, rest);
    expect(k).toBe(4);
    expect(selectRows(10, 4, createRng(3), alone)).toBe(4);
    expect([...chosen.subarray(0, k)]).toEqual([...alone.subarray(0, k)]);
    const others = [...rest.subarray(0, 10 - k)];
    expect(others).toEqual([...others].sort((x, y) => x - y));
    expect([...chosen.subarray(0, k), ...others].sort((x, y) => x - y)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    // Hand-checked edges: nothing chosen, and everything chosen.
    expect(selectRows(3, 0, createRng(1), chosen, rest)).toBe(0);
    expect([...rest.subarray(0, 3)]).toEqual([0, 1, 2]);
    rest.fill(-1);
    expect(selectRows(3, 3, createRng(1), chosen, rest)).toBe(3);
    expect([...chosen.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect(rest[0]).toBe(-1);
  });

  it('selects round(fraction · k) features, at least one, ascending', () => {
    const features = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    const out = new Int32Array(10);
    const m = selectFeatures(features, 0.8, createRng(1), out);
    expect(m).toBe(8);
    const picked = [...out.subarray(0, m)];
    expect(picked).toEqual([...picked].sort((x, y) => x - y));
    expect(new Set(picked).size).toBe(8);
    expect(selectFeatures(features, 0.01, createRng(1), out)).toBe(1);
  });
});
