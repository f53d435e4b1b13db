import { describe, expect, it } from 'vitest';
import { buildPanel } from '../features/panel.js';
import {
  applyTransforms,
  invertTransforms,
  levelTransform,
  log1pTransform,
  targetTransformFromJson,
} from './target-transforms.js';

const panel = buildPanel(
  { seriesId: ['a', 'a', 'a', 'b', 'b', 'b'], date: [0, 1, 2, 0, 1, 2], y: [2, 4, 6, 100, Number.NaN, 300] },
  { freq: 'day' },
);

describe('target transforms', () => {
  it('level: divides each series by the mean |y| of its last observed periods and inverts exactly', () => {
    const t = levelTransform(2);
    const out = applyTransforms(panel, [t], true);
    expect([...out.y]).toEqual([0.4, 0.8, 1.2, 0.5, Number.NaN, 1.5]);
    const values = Float64Array.of(1, 2);
    invertTransforms([t], values, { panel, series: 1, first: panel.offsets[1] });
    expect([...values]).toEqual([200, 400]);
    expect(t.toJSON()).toEqual({ kind: 'level', window: 2, scales: { a: 5, b: 200 } });
  });

  it('log1p then level invert in reverse order, and restore from JSON', () => {
    const ts = [log1pTransform(), levelTransform(3)];
    const out = applyTransforms(panel, ts, true);
    const restored = ts.map((t) => targetTransformFromJson(t.toJSON()));
    const again = applyTransforms(panel, restored, false);
    expect([...again.y]).toEqual([...out.y]);
    const values = out.y.slice(0, 3);
    invertTransforms(restored, values, { panel, series: 0, first: 0 });
    for (const [i, v] of [2, 4, 6].entries()) expect(values[i]).toBeCloseTo(v, 12);
  });
});
