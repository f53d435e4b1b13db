/**
 * Elasticity estimation and the discount optimiser verified against the demo retailer's truth:
 * elasticities estimated from the sales history recover the true ones, and the optimiser picks the
 * true optimum's grid step.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { type DemoRetailer, generateDemoRetailer } from '../data/demo/generate.js';
import { type ElasticityEstimate, estimateElasticities } from '../forecast/elasticity.js';
import { discountGrid, optimizeDiscount } from './discount-optimizer.js';
import { demoSalesHistory } from './testing/demo-history.js';

const GRID = { min: 0, max: 50, step: 5 };

interface Demo {
  readonly retailer: DemoRetailer;
  readonly estimates: ElasticityEstimate[];
}

function prepare(options: Parameters<typeof generateDemoRetailer>[0]): Demo {
  const retailer = generateDemoRetailer(options);
  return { retailer, estimates: estimateElasticities(demoSalesHistory(retailer)) };
}

/** The grid discount maximising profit under the truth's elasticity, base price and unit cost. */
function trueOptimum(elasticity: number, price: number, cost: number): number {
  let best = 0;
  let bestProfit = Number.NEGATIVE_INFINITY;
  for (const d of discountGrid(GRID)) {
    const profit = (1 - d / 100) ** elasticity * (price * (1 - d / 100) - cost);
    if (profit > bestProfit + 1e-12) [best, bestProfit] = [d, profit];
  }
  return best;
}

describe.each([
  { name: 'default demo (5 stores × 12 products × 730 days, seed 42)', options: {} },
  { name: 'second demo (4 stores × 12 products × 730 days, seed 7)', options: { stores: 4, seed: 7 } },
])('$name', ({ options }) => {
  let demo: Demo;
  beforeAll(() => {
    demo = prepare(options);
  });

  test('elasticities are within ±15% of the truth on every product with enough price variation', () => {
    const varied = demo.estimates.filter((e) => e.enoughPriceVariation);
    // The demo gives at least half of the fast movers discount events.
    expect(varied.length).toBeGreaterThanOrEqual(5);
    for (const e of varied) {
      const truth = demo.retailer.truth.products.find((p) => p.product_id === e.productId);
      const relativeError = Math.abs(
        ((e.elasticity as number) - (truth?.price_elasticity as number)) /
          (truth?.price_elasticity as number),
      );
      expect(relativeError, e.productId).toBeLessThanOrEqual(0.15);
    }
    // Products without discount events only have their one permanent price change, if any.
    for (const e of demo.estimates) {
      const truth = demo.retailer.truth.products.find((p) => p.product_id === e.productId);
      if (!truth?.has_discount_events) expect(e.enoughPriceVariation, e.productId).toBe(false);
    }
  });

  test('the optimal discount is within one grid step of the true optimum', () => {
    // With the demo's own margins (20–50%) discounting rarely pays (it needs |ε| > 1 / margin), so
    // the optimum is also checked at margins of 50% and 60%, where the optimal discounts spread
    // over the grid. At 70% the optimum of an elasticity near −1.5 moves by several steps per 0.1
    // of ε; there the check is that the truth lies in the reported 95% range (± one step).
    const varied = demo.estimates.filter((e) => e.enoughPriceVariation);
    const optima = new Set<number>();
    for (const e of varied) {
      const truth = demo.retailer.truth.products.find((p) => p.product_id === e.productId);
      if (truth === undefined) throw new Error(`no truth for ${e.productId}`);
      const scenarios = [
        { unitCost: truth.unit_cost, strict: true },
        ...[0.5, 0.6].map((m) => ({ unitCost: truth.base_price * (1 - m), strict: true })),
        { unitCost: truth.base_price * 0.3, strict: false },
      ];
      for (const { unitCost, strict } of scenarios) {
        const chosen = optimizeDiscount({
          shelfPrice: truth.base_price,
          unitCost,
          baseUnits: 100,
          response: {
            kind: 'elasticity',
            elasticity: e.elasticity as number,
            standardError: e.standardError ?? 0,
          },
          grid: GRID,
        });
        const best = trueOptimum(truth.price_elasticity, truth.base_price, unitCost);
        optima.add(best);
        const label = `${e.productId} at unit cost ${unitCost.toFixed(2)}`;
        const [low, high] = chosen.optimumRangePct;
        expect(best, label).toBeGreaterThanOrEqual(low - GRID.step);
        expect(best, label).toBeLessThanOrEqual(high + GRID.step);
        if (strict) expect(Math.abs(chosen.optimum.discountPct - best), label).toBeLessThanOrEqual(GRID.step);
      }
    }
    expect(optima.size).toBeGreaterThanOrEqual(4);
  });
});
