import { describe, expect, test } from 'vitest';
import { normalDemand, poissonDemand } from './demand-distribution.js';
import { optimizeDiscount } from './discount-optimizer.js';
import { executiveSummary } from './executive-summary.js';
import { planReplenishment } from './inventory-policy.js';
import { stockoutLoss } from './stockout-loss.js';

const days = (n: number, mean: number) => Array.from({ length: n }, () => poissonDemand(mean));

describe('executiveSummary', () => {
  // S01/P001 runs out before delivery (critical); its risk folds into the reorder.
  const criticalPlan = planReplenishment({ forecast: days(14, 3), onHand: 2, leadTime: 3 });
  const criticalLoss = stockoutLoss({ forecast: days(14, 3), onHand: 2, price: 5 });
  // S02/P002 has stock for ~2 of 7 days but no reorder row: a stand-alone risk action.
  const riskOnly = stockoutLoss({
    forecast: [normalDemand(10, 0), normalDemand(10, 0)],
    onHand: 12,
    price: 4,
  });
  // S03/P003 needs no order.
  const calmPlan = planReplenishment({ forecast: days(14, 3), onHand: 200, leadTime: 3 });
  const pricing = optimizeDiscount({
    shelfPrice: 10,
    unitCost: 6,
    baseUnits: 100,
    response: { kind: 'elasticity', elasticity: -3 },
  });
  const noDiscount = optimizeDiscount({
    shelfPrice: 10,
    unitCost: 6,
    baseUnits: 100,
    response: { kind: 'elasticity', elasticity: -0.5 },
  });

  const actions = executiveSummary({
    reorders: [
      { storeId: 'S01', productId: 'P001', plan: criticalPlan, unitCost: 3 },
      { storeId: 'S03', productId: 'P003', plan: calmPlan, unitCost: 3 },
    ],
    stockouts: [
      { storeId: 'S01', productId: 'P001', loss: criticalLoss },
      { storeId: 'S02', productId: 'P002', loss: riskOnly },
    ],
    pricing: [
      { productId: 'P004', result: pricing },
      { productId: 'P005', result: noDiscount },
    ],
    anomalies: [
      {
        storeId: 'S01',
        productId: 'P006',
        date: '2024-03-01',
        observedUnits: 80,
        expectedUnits: 20,
        unitValue: 2,
      },
    ],
  });

  test('ranks by money at stake and drops actions with nothing at stake', () => {
    expect(actions.map((a) => [a.rank, a.kind, a.productId])).toEqual([
      [1, 'reorder', 'P001'],
      [2, 'anomaly', 'P006'],
      [3, 'stockout-risk', 'P002'],
      [4, 'pricing', 'P004'],
    ]);
    // 42 expected units against 2 on hand: about 40 lost at 5 each.
    expect(actions[0].moneyAtStake).toBeCloseTo(criticalLoss.expectedLostRevenue, 12);
    expect(actions[0].moneyAtStake).toBeCloseTo(200, 0);
    expect(actions[1].moneyAtStake).toBe(120);
    expect(actions[2].moneyAtStake).toBe(32);
    expect(actions[3].moneyAtStake).toBeCloseTo(pricing.deltaProfit, 12);
  });

  test('sentences are built from the numbers', () => {
    expect(actions[0].sentence).toBe(
      `Order ${criticalPlan.orderQuantity} units of P001 for S01 (urgency critical): stock covers 0.7 periods against a lead time of 3; ${criticalLoss.expectedLostRevenue.toFixed(2)} of revenue at risk over 14 periods.`,
    );
    expect(actions[1].sentence).toBe(
      'P006 at S01 sold 80 units on 2024-03-01 against 20 expected (+60.0 units, 120.00 at stake).',
    );
    expect(actions[3].sentence).toBe(
      'Discount P004 by 10%: expected +37 units, revenue +234.57, profit +11.52 (95% band +11.52 to +11.52).',
    );
    expect(actions[2].sentence).toBe(
      'P002 at S02 risks 8 lost units (32.00 revenue) over 2 periods; stockout probability 100%.',
    );
  });

  test('topN keeps the first actions; a reorder without a risk row is valued at cost', () => {
    expect(executiveSummary({ anomalies: [], topN: 1 })).toEqual([]);
    const only = executiveSummary({
      reorders: [{ storeId: 'S01', productId: 'P001', plan: criticalPlan, unitCost: 3 }],
      topN: 1,
    });
    expect(only).toHaveLength(1);
    expect(only[0].moneyAtStake).toBe(criticalPlan.orderQuantity * 3);
    expect(() => executiveSummary({ topN: 0 })).toThrow(/topN/);
  });
});
