/**
 * Invertible target transforms (mlforecast's `target_transforms`). A forecaster applies them in
 * order before fitting and inverts them in reverse order on forecasts. State learned at fit (e.g. a
 * series' level) is per series and comes only from the training history.
 */
import { type Panel, seriesCount } from '../features/panel.js';

export interface TargetTransform {
  readonly name: string;
  /** Learns per-series state from `panel` and returns its transformed target (same length as `panel.y`). */
  fitTransform(panel: Panel): Float64Array;
  /** The transformed target of `panel` under the state learned at fit (series matched by id). */
  transform(panel: Panel): Float64Array;
  /** Maps values of series `seriesId` back to the original scale, in place. */
  inverseTransform(seriesId: string, values: Float64Array): void;
  /** JSON state that `targetTransformFromJson` restores. */
  toJSON(): TargetTransformJson;
}

export type TargetTransformJson =
  | { readonly kind: 'log1p' }
  | { readonly kind: 'level'; readonly window: number; readonly scales: Record<string, number> };

/**
 * sign(y)·log(1 + |y|): compresses large series so a global model weighs them like small ones, and
 * turns multiplicative effects (weekday × level) into additive ones.
 */
export function log1pTransform(): TargetTransform {
  const forward = (panel: Panel) => panel.y.map((v) => Math.sign(v) * Math.log1p(Math.abs(v)));
  return {
    name: 'log1p',
    fitTransform: forward,
    transform: forward,
    inverseTransform(_id, values) {
      for (let i = 0; i < values.length; i++)
        values[i] = Math.sign(values[i]) * Math.expm1(Math.abs(values[i]));
    },
    toJSON: () => ({ kind: 'log1p' }),
  };
}

/**
 * Divides each series by its level: the mean absolute value of its last `window` observed
 * periods in the training history (1 when that is 0 or undefined). A global model then learns shapes
 * shared across series of very different sizes.
 */
export function levelTransform(window: number, scales = new Map<string, number>()): TargetTransform {
  const apply = (panel: Panel) => {
    const out = new Float64Array(panel.y.length);
    for (let s = 0; s < seriesCount(panel); s++) {
      const scale = scales.get(panel.seriesIds[s]) ?? 1;
      for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) out[r] = panel.y[r] / scale;
    }
    return out;
  };
  return {
    name: `level_${window}`,
    fitTransform(panel) {
      scales.clear();
      for (let s = 0; s < seriesCount(panel); s++) {
        let sum = 0;
        let n = 0;
        for (let r = panel.offsets[s + 1] - 1; r >= panel.offsets[s] && n < window; r--) {
          const v = panel.y[r];
          if (!Number.isNaN(v)) {
            sum += Math.abs(v);
            n++;
          }
        }
        scales.set(panel.seriesIds[s], n > 0 && sum > 0 ? sum / n : 1);
      }
      return apply(panel);
    },
    transform: apply,
    inverseTransform(id, values) {
      const scale = scales.get(id) ?? 1;
      for (let i = 0; i < values.length; i++) values[i] *= scale;
    },
    toJSON: () => ({ kind: 'level', window, scales: Object.fromEntries(scales) }),
  };
}

/** Restores a transform from its JSON state. */
export function targetTransformFromJson(json: TargetTransformJson): TargetTransform {
  return json.kind === 'log1p'
    ? log1pTransform()
    : levelTransform(json.window, new Map(Object.entries(json.scales)));
}

/**
 * Applies `transforms` in order to the panel's target — learning their state when `fit` is true —
 * and returns the panel with the transformed target.
 */
export function applyTransforms(panel: Panel, transforms: readonly TargetTransform[], fit: boolean): Panel {
  let current = panel;
  for (const t of transforms)
    current = { ...current, y: fit ? t.fitTransform(current) : t.transform(current) };
  return current;
}

/** Inverts `transforms` in reverse order on `values` (forecasts of series `seriesId`), in place. */
export function invertTransforms(
  transforms: readonly TargetTransform[],
  seriesId: string,
  values: Float64Array,
): void {
  for (let k = transforms.length - 1; k >= 0; k--) transforms[k].inverseTransform(seriesId, values);
}
