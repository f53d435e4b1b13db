/**
 * Invertible target transforms (mlforecast's `target_transforms`). A forecaster applies them in
 * order before fitting and inverts them in reverse order on forecasts. State learned at fit (e.g. a
 * series' level) is per series and comes only from the training history.
 */
import { SalescastError } from '../core/errors.js';
import { type Panel, seriesCount } from '../features/panel.js';
import { type PriceResponseJson, priceResponseTransform } from './price-response.js';

export interface TargetTransform {
  readonly name: string;
  /** Learns per-series state from `panel` and returns its transformed target (same length as `panel.y`). */
  fitTransform(panel: Panel): Float64Array;
  /** The transformed target of `panel` under the state learned at fit (series matched by id). */
  transform(panel: Panel): Float64Array;
  /** Maps values at `at` back to the original scale, in place. */
  inverseTransform(values: Float64Array, at: TransformRows): void;
  /**
   * For transforms that divide each row by a factor read from its drivers (not its series alone):
   * that factor at row `row` of `panel`. Explanations report it as its own contribution. Such a
   * transform must come first in the chain, so it is inverted last, on values in units.
   */
  rowFactor?(panel: Panel, row: number): number;
  /** JSON state that `targetTransformFromJson` restores. */
  toJSON(): TargetTransformJson;
}

/** Where inverted values sit: `values[i]` is row `first + i` of series `series` of `panel`. */
export interface TransformRows {
  readonly panel: Panel;
  readonly series: number;
  readonly first: number;
}

export type TargetTransformJson =
  | { readonly kind: 'log1p' }
  | { readonly kind: 'level'; readonly window: number; readonly scales: Record<string, number> }
  | PriceResponseJson;

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
    inverseTransform(values) {
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
    inverseTransform(values, at) {
      const scale = scales.get(at.panel.seriesIds[at.series]) ?? 1;
      for (let i = 0; i < values.length; i++) values[i] *= scale;
    },
    toJSON: () => ({ kind: 'level', window, scales: Object.fromEntries(scales) }),
  };
}

/** Restores a transform from its JSON state. */
export function targetTransformFromJson(json: TargetTransformJson): TargetTransform {
  switch (json.kind) {
    case 'log1p':
      return log1pTransform();
    case 'level':
      return levelTransform(json.window, new Map(Object.entries(json.scales)));
    case 'price-response':
      return priceResponseTransform(new Map(Object.entries(json.elasticities)));
    default:
      throw new SalescastError(
        'INVALID_ARTIFACT',
        `Invalid model artifact: unknown target transform '${(json as { kind: unknown }).kind}'.`,
      );
  }
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

/** Inverts `transforms` in reverse order on `values` (forecasts at `at`), in place. */
export function invertTransforms(
  transforms: readonly TargetTransform[],
  values: Float64Array,
  at: TransformRows,
): void {
  for (let k = transforms.length - 1; k >= 0; k--) transforms[k].inverseTransform(values, at);
}
