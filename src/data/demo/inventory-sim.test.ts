import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { simulateInventory } from './inventory-sim.js';

function run(demandValues: number[], plan: number, seed = 1) {
  const demand = Int32Array.from(demandValues);
  return simulateInventory(createRng(seed), demand, new Float64Array(demand.length).fill(plan), {
    reviewPeriod: 3,
    leadTime: 2,
    offset: 0,
  });
}

describe('simulateInventory', () => {
  it('sells min(demand, available) and conserves stock', () => {
    const rng = createRng(5);
    const demand = Array.from({ length: 400 }, () => rng.poisson(8));
    const trace = run(demand, 8);
    let previous: number | undefined;
    for (let t = 0; t < demand.length; t++) {
      expect(trace.sold[t]).toBeLessThanOrEqual(demand[t]);
      if (trace.sold[t] < demand[t]) expect(trace.stockOnHand[t]).toBe(0);
      if (previous !== undefined)
        expect(trace.stockOnHand[t]).toBe(previous + trace.receipts[t] - trace.sold[t]);
      previous = trace.stockOnHand[t];
    }
    // Deliveries arrive only after the lead time, and reviews happen every third day.
    expect(trace.receipts[0]).toBe(0);
    expect(trace.receipts[1]).toBe(0);
    expect(Array.from(trace.receipts).filter((r) => r > 0).length).toBeGreaterThan(100);
  });

  it('runs out when demand far exceeds the plan, and not when demand is zero', () => {
    const surge = run(new Array(30).fill(50), 5);
    expect(Array.from(surge.stockOnHand).filter((s) => s === 0).length).toBeGreaterThan(20);
    const idle = run(new Array(30).fill(0), 5);
    expect(Array.from(idle.stockOnHand).every((s) => s > 0)).toBe(true);
    expect(Array.from(idle.sold).every((s) => s === 0)).toBe(true);
  });
});
