/**
 * The public surface of the decision engine: pure functions from forecasts, history and costs to
 * decisions (inventory, stockout loss, pricing, expansion, the executive summary's action list).
 * See docs/DECISIONS.md for the methods, formulas and assumptions.
 */

export {
  DEFAULT_PRICE_VARIATION,
  type ElasticityEstimate,
  estimateElasticities,
  type PriceVariationRule,
  type SalesHistory,
} from '../forecast/elasticity.js';
export {
  fitPoissonRegression,
  type PoissonRegressionFit,
  type PoissonRegressionOptions,
} from '../ml/linear/poisson-regression.js';
export {
  type DemandDistribution,
  type DemandKind,
  negativeBinomialDemand,
  negativeBinomialFromVariance,
  normalDemand,
  poissonDemand,
  quantileDemand,
  sampleDemand,
} from './demand-distribution.js';
export { DEFAULT_SUM_SAMPLES, type DemandSumOptions, periodsBetween, sumDemand } from './demand-sum.js';
export {
  DEFAULT_DISCOUNT_GRID,
  type DemandResponse,
  type DiscountOptimization,
  type DiscountOptimizationInput,
  type DiscountPoint,
  discountGrid,
  optimizeDiscount,
} from './discount-optimizer.js';
export {
  type ActionKind,
  type AnomalyRow,
  executiveSummary,
  type PricingRow,
  type ReorderRow,
  type StockoutRow,
  type SummaryAction,
  type SummaryInput,
} from './executive-summary.js';
export {
  planReplenishment,
  type ReplenishmentInput,
  type ReplenishmentPlan,
  type Urgency,
} from './inventory-policy.js';
export { criticalFractile, economicOrderQuantity, type FractileCosts } from './newsvendor.js';
export { normalCdf, normalLoss, normalPdf, normalQuantile } from './normal.js';
export {
  type PolicySimulationInput,
  type PolicySimulationResult,
  simulateReplenishment,
} from './policy-simulation.js';
export { type InboundOrder, projectStock, type StockProjection } from './stock-projection.js';
export { type StockoutLoss, type StockoutLossInput, stockoutLoss } from './stockout-loss.js';
export {
  DEFAULT_EXPANSION_ASSUMPTIONS,
  type ExpansionAssumptions,
  type ExpansionRanking,
  type RegionExpansionRow,
  rankExpansion,
  type StoreExpansionRow,
  type StoreHistory,
} from './store-expansion.js';
