/**
 * Discount optimiser: over a grid of allowed discounts, the expected units, revenue and profit of
 * one product, and the discount that maximises the chosen objective. The demand response is either
 * a constant elasticity, units(d) = units(0) × (1 − d)^ε (the paid price scales by 1 − d), or a
 * what-if curve supplied by the caller (e.g. the forecasting model re-run at each price).
 *
 * Uncertainty: with an elasticity and its standard error, every point of the curve is also
 * evaluated at ε ± 1.96·se (a 95% band), and the optimum is re-located under both ends, giving the
 * range of discounts the data cannot tell apart. Uncertainty of the baseline units is not included.
 */
import {
  invalidArgument,
  requireFinite,
  requireInRange,
  requireNonNegative,
  requirePositive,
} from './arguments.js';

export type DemandResponse =
  | {
      readonly kind: 'elasticity';
      /** Own-price elasticity, usually negative. */
      readonly elasticity: number;
      /** Standard error of the elasticity; 0 or absent for no band. */
      readonly standardError?: number;
    }
  | {
      readonly kind: 'what-if';
      /** Expected units at a discount in percent (0–100), for the same period as `baseUnits`. */
      readonly units: (discountPct: number) => number;
    };

export interface DiscountOptimizationInput {
  /** Regular (shelf) price per unit before discount, > 0. */
  readonly shelfPrice: number;
  readonly unitCost: number;
  /** Expected units without a discount over the period considered (used by the elasticity response). */
  readonly baseUnits: number;
  readonly response: DemandResponse;
  /** What to maximise; default profit. */
  readonly objective?: 'profit' | 'revenue';
  /** Allowed discounts in percent: min, max and step; default 0 to 50 in steps of 5. */
  readonly grid?: { readonly min: number; readonly max: number; readonly step: number };
}

export interface DiscountPoint {
  readonly discountPct: number;
  readonly paidPrice: number;
  readonly units: number;
  readonly revenue: number;
  readonly profit: number;
  /** 95% band from the elasticity's standard error (equal to the point without one). */
  readonly unitsLow: number;
  readonly unitsHigh: number;
  readonly profitLow: number;
  readonly profitHigh: number;
}

export interface DiscountOptimization {
  readonly objective: 'profit' | 'revenue';
  readonly curve: readonly DiscountPoint[];
  readonly optimum: DiscountPoint;
  /** No discount: the baseline the deltas compare with (evaluated even when 0 is not on the grid). */
  readonly baseline: DiscountPoint;
  readonly deltaUnits: number;
  readonly deltaRevenue: number;
  readonly deltaProfit: number;
  /** 95% band of deltaProfit at the chosen discount. */
  readonly deltaProfitLow: number;
  readonly deltaProfitHigh: number;
  /** Optimal discounts under ε − 1.96·se and ε + 1.96·se (both equal to the optimum without se). */
  readonly optimumRangePct: readonly [number, number];
}

export const DEFAULT_DISCOUNT_GRID = { min: 0, max: 50, step: 5 } as const;

/** The most discounts a grid may hold. */
export const MAX_GRID_POINTS = 1001;

/** The discounts of a grid, in percent, min first; the last point is max when it falls on the grid. */
export function discountGrid(
  grid: { min: number; max: number; step: number } = DEFAULT_DISCOUNT_GRID,
): number[] {
  requireInRange('grid.min', grid.min, 0, 99);
  requireInRange('grid.max', grid.max, grid.min, 99);
  requirePositive('grid.step', grid.step);
  // Each point is a forecast-backed evaluation: a tiny step would ask for millions of them.
  const span = grid.max - grid.min;
  if (span / grid.step > MAX_GRID_POINTS - 1) {
    invalidArgument(
      'grid.step',
      `at least ${span / (MAX_GRID_POINTS - 1)} (at most ${MAX_GRID_POINTS} discounts from ${grid.min} to ${grid.max})`,
      grid.step,
    );
  }
  const points: number[] = [];
  for (let k = 0; grid.min + k * grid.step <= grid.max + 1e-9; k++) {
    points.push(Math.round((grid.min + k * grid.step) * 1e9) / 1e9);
  }
  return points;
}

/** Optimises the discount of one product; throws INVALID_ARGUMENT naming a bad field. */
export function optimizeDiscount(input: DiscountOptimizationInput): DiscountOptimization {
  const { shelfPrice, unitCost, baseUnits, response, objective = 'profit' } = input;
  requirePositive('shelfPrice', shelfPrice);
  requireNonNegative('unitCost', unitCost);
  requireNonNegative('baseUnits', baseUnits);
  if (objective !== 'profit' && objective !== 'revenue')
    invalidArgument('objective', "'profit' or 'revenue'", objective);
  const grid = discountGrid(input.grid ?? DEFAULT_DISCOUNT_GRID);

  let unitsAt: (d: number, shift: number) => number;
  let se = 0;
  if (response.kind === 'elasticity') {
    requireFinite('response.elasticity', response.elasticity);
    se = response.standardError ?? 0;
    requireNonNegative('response.standardError', se);
    unitsAt = (d, shift) => baseUnits * (1 - d / 100) ** (response.elasticity + shift);
  } else if (response.kind === 'what-if') {
    unitsAt = (d) => {
      const u = response.units(d);
      if (!(Number.isFinite(u) && u >= 0)) invalidArgument(`response.units(${d})`, 'a finite number ≥ 0', u);
      return u;
    };
  } else {
    invalidArgument('response.kind', "'elasticity' or 'what-if'", (response as { kind: unknown }).kind);
  }

  const band = 1.96 * se;
  const point = (d: number): DiscountPoint => {
    const paidPrice = shelfPrice * (1 - d / 100);
    const units = unitsAt(d, 0);
    // A more negative elasticity means more units at any discount > 0.
    const unitsHigh = se > 0 ? unitsAt(d, -band) : units;
    const unitsLow = se > 0 ? unitsAt(d, band) : units;
    const margin = paidPrice - unitCost;
    const profitA = unitsLow * margin;
    const profitB = unitsHigh * margin;
    return {
      discountPct: d,
      paidPrice,
      units,
      revenue: units * paidPrice,
      profit: units * margin,
      unitsLow,
      unitsHigh,
      profitLow: Math.min(profitA, profitB),
      profitHigh: Math.max(profitA, profitB),
    };
  };
  const curve = grid.map(point);
  const value = (p: { revenue: number; profit: number }) => (objective === 'profit' ? p.profit : p.revenue);
  const argmax = (values: number[]) =>
    values.reduce((best, v, i) => (v > values[best] + 1e-12 ? i : best), 0);
  const optimum = curve[argmax(curve.map(value))];
  const baseline = grid[0] === 0 ? curve[0] : point(0);

  const ends = [-band, band].map((shift) => {
    const values = grid.map((d) => {
      const units = unitsAt(d, shift);
      const paid = shelfPrice * (1 - d / 100);
      return value({ revenue: units * paid, profit: units * (paid - unitCost) });
    });
    return grid[argmax(values)];
  });
  const deltaA = optimum.profitLow - baseline.profit;
  const deltaB = optimum.profitHigh - baseline.profit;
  return {
    objective,
    curve,
    optimum,
    baseline,
    deltaUnits: optimum.units - baseline.units,
    deltaRevenue: optimum.revenue - baseline.revenue,
    deltaProfit: optimum.profit - baseline.profit,
    deltaProfitLow: Math.min(deltaA, deltaB),
    deltaProfitHigh: Math.max(deltaA, deltaB),
    optimumRangePct: [Math.min(...ends), Math.max(...ends)],
  };
}
