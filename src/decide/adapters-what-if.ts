/**
 * The forecasting model's what-if curve as the discount optimiser's demand response: the model
 * forecasts again with every forecast period of the selected series at a discount d (the scenario
 * machinery of src/explain/scenario.ts recomputes the paid price), and the expected units of each
 * product are summed over its selected stores and the horizon.
 */
import { SalescastError } from '../core/errors.js';
import { applyScenario } from '../explain/scenario.js';
import { isCategorical, type Panel, seriesKey } from '../features/panel.js';
import type { Forecaster } from '../forecast/forecaster.js';

export interface WhatIfInput {
  readonly forecaster: Forecaster;
  readonly model: string;
  /** History the forecast starts after. */
  readonly history: Panel;
  /** Known future drivers of the horizon; must have a numeric `discount_pct` column. */
  readonly future: Panel;
  readonly h: number;
  /** The series (`store/product`) whose units are summed. */
  readonly seriesIds: readonly string[];
}

/** Whether `future` can carry a discount scenario. */
export function supportsWhatIf(future: Panel | undefined): future is Panel {
  const col = future?.exog.discount_pct;
  return col !== undefined && !isCategorical(col);
}

/**
 * `(productId, discountPct) → expected units over the horizon`, one forecast per distinct
 * discount (memoised, all products at once: a scenario sets the discount of every selected
 * series, and each product's units are read from its own series). Throws INVALID_ARGUMENT when
 * the future frame has no `discount_pct`.
 */
export function whatIfUnits(input: WhatIfInput): (productId: string, discountPct: number) => number {
  if (!supportsWhatIf(input.future)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      "the future drivers have no numeric 'discount_pct' column.",
      {
        field: 'future',
      },
    );
  }
  const selected = new Set(input.seriesIds);
  const keys = input.seriesIds.map(seriesKey);
  const stores = [...new Set(keys.flatMap((k) => (k.store === undefined ? [] : [k.store])))];
  const products = [...new Set(keys.map((k) => k.product))];
  const cache = new Map<number, Map<string, number>>();
  return (productId, discountPct) => {
    let units = cache.get(discountPct);
    if (!units) {
      // Only the scenario's forecast is needed, so applyScenario + predict rather than runScenario,
      // which would forecast the unchanged baseline again for every grid point.
      const { panel } = applyScenario(input.future, input.history, {
        actions: [{ driver: 'discount_pct', op: 'set', value: discountPct }],
        conditions: stores.length > 0 ? { stores, products } : { products },
      });
      const result = input.forecaster.predict(input.h, { history: input.history, future: panel });
      const yhat = result.models[input.model].yhat;
      units = new Map();
      result.seriesIds.forEach((id, s) => {
        if (!selected.has(id)) return;
        const p = seriesKey(id).product;
        let sum = 0;
        for (let k = 0; k < result.h; k++) sum += Math.max(0, yhat[s * result.h + k]);
        units?.set(p, (units.get(p) ?? 0) + sum);
      });
      cache.set(discountPct, units);
    }
    return units.get(productId) ?? 0;
  };
}
