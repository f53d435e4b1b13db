/**
 * The decisions for a whole retailer, from a model's forecast and the panel's current state: per
 * store × product the replenishment plan and the stockout loss, per product the discount
 * optimisation, per store the expansion ranking, and the executive summary's action list. This is
 * the one place where the CLI (`salescast recommend`) and the API (`/v1/decisions/*`) turn their
 * inputs into the library's calls, so both answer the same numbers. Pure: the caller forecasts,
 * reads files and applies request overrides.
 */
import { SalescastError } from '../core/errors.js';
import { seriesKey } from '../features/panel.js';
import { type ElasticityEstimate, estimateElasticities, type SalesHistory } from '../forecast/elasticity.js';
import type { SeriesState } from './adapters.js';
import { invalidArgument, requireInteger, requireNonNegative, requireOpenProbability } from './arguments.js';
import type { DemandDistribution } from './demand-distribution.js';
import {
  type DemandResponse,
  type DiscountOptimization,
  discountGrid,
  optimizeDiscount,
} from './discount-optimizer.js';
import { type AnomalyRow, executiveSummary, type SummaryAction } from './executive-summary.js';
import { planReplenishment, type ReplenishmentPlan } from './inventory-policy.js';
import type { InboundOrder } from './stock-projection.js';
import { type StockoutLoss, stockoutLoss } from './stockout-loss.js';
import {
  type ExpansionAssumptions,
  type ExpansionRanking,
  rankExpansion,
  type StoreHistory,
} from './store-expansion.js';

/** Policy settings shared by every series; periods are the panel's (days or weeks). */
export interface DecisionSettings {
  /** Periods from placing an order to its arrival, integer ≥ 0. */
  readonly leadTime: number;
  /** Periods between order opportunities, integer ≥ 0 (1 = daily review of a daily panel). */
  readonly reviewPeriod: number;
  /** Target cycle service level α in (0, 1). */
  readonly serviceLevel: number;
  /** Yearly holding cost as a fraction of unit cost (0.25 = 25% a year). */
  readonly holdingRate: number;
  /** Fixed cost per order; turns on the EOQ. */
  readonly orderCost?: number;
  /** Periods the stockout risk is assessed over; default the whole forecast horizon. */
  readonly riskHorizon?: number;
  /** Days per period: 1 for daily panels, 7 for weekly (converts the yearly holding rate). */
  readonly periodDays: number;
  /** Seed of the Monte Carlo sums of quantile forecasts. */
  readonly seed: number;
}

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  leadTime: 7,
  reviewPeriod: 1,
  serviceLevel: 0.95,
  holdingRate: 0.25,
  periodDays: 1,
  seed: 1,
};

/** Caller-supplied facts about one series, overriding the panel's. */
export interface SeriesOverride {
  readonly storeId: string;
  readonly productId: string;
  readonly onHand?: number;
  readonly inbound?: readonly InboundOrder[];
  /** Paid price per unit. */
  readonly price?: number;
  readonly unitCost?: number;
}

/** Caller-supplied product facts (every store), overriding the panel's. */
export interface ProductOverride {
  readonly productId: string;
  /** Paid price per unit (also the shelf price the discount optimiser starts from). */
  readonly price?: number;
  readonly unitCost?: number;
}

/** Everything the decisions of one series use, resolved. */
export interface SeriesInputs {
  readonly seriesId: string;
  readonly storeId: string;
  readonly productId: string;
  readonly onHand: number;
  readonly inbound: readonly InboundOrder[];
  /** Paid price per unit now (lost revenue, critical fractile). */
  readonly price: number;
  /** Regular shelf price before discount (the discount optimiser's starting point). */
  readonly shelfPrice: number;
  readonly unitCost: number;
  /** Where the stock came from. */
  readonly stockSource: 'request' | 'panel';
}

/** The store × product series a request selects; unknown names are NOT_FOUND naming them. */
export function selectSeries(
  seriesIds: readonly string[],
  filter: { readonly stores?: readonly string[]; readonly products?: readonly string[] },
): string[] {
  const split = seriesIds.map((id) => {
    const { store, product } = seriesKey(id);
    return { id, store: store ?? '', product };
  });
  const known = { store: new Set(split.map((s) => s.store)), product: new Set(split.map((s) => s.product)) };
  for (const [kind, names] of [
    ['store', filter.stores],
    ['product', filter.products],
  ] as const) {
    for (const name of names ?? []) {
      if (!known[kind].has(name)) {
        throw new SalescastError(
          'NOT_FOUND',
          `Unknown ${kind} '${name}': the model forecasts no series of it.`,
          {
            field: kind,
          },
        );
      }
    }
  }
  const chosen = split.filter(
    (s) =>
      (!filter.stores || filter.stores.includes(s.store)) &&
      (!filter.products || filter.products.includes(s.product)),
  );
  if (chosen.length === 0) {
    throw new SalescastError(
      'NOT_FOUND',
      `No series of store(s) ${filter.stores?.join(', ')} sells product(s) ${filter.products?.join(', ')}.`,
      {
        field: 'product',
      },
    );
  }
  return chosen.map((s) => s.id);
}

/**
 * Stock, inbound orders, price and unit cost of each selected series: the request's values first,
 * then the panel's last period. Throws INVALID_ARGUMENT naming the series and the field when
 * neither has a value (the stock only when `options.stock` is not false).
 */
export function resolveSeriesInputs(
  seriesIds: readonly string[],
  states: ReadonlyMap<string, SeriesState>,
  overrides: {
    readonly series?: readonly SeriesOverride[];
    readonly products?: readonly ProductOverride[];
  } = {},
  options: { readonly stock?: boolean } = {},
): SeriesInputs[] {
  const bySeries = new Map((overrides.series ?? []).map((o) => [`${o.storeId}/${o.productId}`, o]));
  const byProduct = new Map((overrides.products ?? []).map((o) => [o.productId, o]));
  return seriesIds.map((id) => {
    const state = states.get(id);
    const { store, product: productId } = seriesKey(id);
    const storeId = store ?? '';
    const o = bySeries.get(id);
    const po = byProduct.get(productId);
    const need = (field: string, value: number | null | undefined, hint: string): number => {
      if (value === null || value === undefined) {
        throw new SalescastError('INVALID_ARGUMENT', `No ${field} for ${storeId}/${productId}: ${hint}.`, {
          field,
        });
      }
      requireNonNegative(`${field} of ${id}`, value);
      return value;
    };
    // Without `stock` (pricing only) a missing count is 0 and unused.
    const onHand = need(
      'onHand',
      o?.onHand ?? state?.onHand ?? (options.stock === false ? 0 : undefined),
      'give it in the request, or use a panel with an inventory source (stock_on_hand)',
    );
    const price = need(
      'price',
      o?.price ?? po?.price ?? state?.paidPrice ?? state?.shelfPrice,
      'give it in the request, or use a panel with a prices source',
    );
    const unitCost = need(
      'unitCost',
      o?.unitCost ?? po?.unitCost ?? state?.unitCost,
      'give it in the request, or use a panel with a products source',
    );
    return {
      seriesId: id,
      storeId,
      productId,
      onHand,
      inbound: o?.inbound ?? [],
      price,
      shelfPrice: o?.price ?? po?.price ?? state?.basePrice ?? state?.shelfPrice ?? price,
      unitCost,
      stockSource: o?.onHand !== undefined ? 'request' : 'panel',
    };
  });
}

function checkSettings(s: DecisionSettings, horizon: number): void {
  requireInteger('leadTime', s.leadTime, 0);
  requireInteger('reviewPeriod', s.reviewPeriod, 0);
  requireOpenProbability('serviceLevel', s.serviceLevel);
  requireNonNegative('holdingRate', s.holdingRate);
  if (s.orderCost !== undefined) requireNonNegative('orderCost', s.orderCost);
  if (s.leadTime + s.reviewPeriod > horizon) {
    invalidArgument(
      'leadTime',
      `at most ${horizon - s.reviewPeriod} (lead time + review period must fit in the model's ${horizon}-period horizon)`,
      s.leadTime,
    );
  }
}

const demandOf = (demand: ReadonlyMap<string, readonly DemandDistribution[]>, id: string) => {
  const d = demand.get(id);
  if (!d) throw new SalescastError('NOT_FOUND', `The forecast has no series '${id}'.`, { field: 'series' });
  return d;
};

export interface InventoryDecision {
  readonly storeId: string;
  readonly productId: string;
  readonly onHand: number;
  readonly inboundUnits: number;
  readonly price: number;
  readonly unitCost: number;
  /** Per unit per period: unit cost × holding rate × period days / 365. */
  readonly holdingCost: number;
  readonly stockSource: 'request' | 'panel';
  readonly plan: ReplenishmentPlan;
}

/** The replenishment plan of every series (newsvendor fractile from its price, cost and holding cost). */
export function inventoryDecisions(
  demand: ReadonlyMap<string, readonly DemandDistribution[]>,
  series: readonly SeriesInputs[],
  settings: DecisionSettings,
): InventoryDecision[] {
  return series.map((s, i) => {
    const forecast = demandOf(demand, s.seriesId);
    checkSettings(settings, forecast.length);
    const holdingCost = (s.unitCost * settings.holdingRate * settings.periodDays) / 365;
    // The fractile needs a positive holding cost; with none, the service level alone sets S.
    const costs =
      holdingCost > 0 && s.price > s.unitCost ? { price: s.price, unitCost: s.unitCost, holdingCost } : {};
    const plan = planReplenishment({
      forecast,
      onHand: s.onHand,
      inbound: s.inbound,
      leadTime: settings.leadTime,
      reviewPeriod: settings.reviewPeriod,
      serviceLevel: settings.serviceLevel,
      ...costs,
      ...(settings.orderCost !== undefined && holdingCost > 0
        ? { orderCost: settings.orderCost, holdingCost }
        : {}),
      sum: { seed: settings.seed + i },
    });
    return {
      storeId: s.storeId,
      productId: s.productId,
      onHand: s.onHand,
      inboundUnits: s.inbound.reduce((a, o) => a + o.units, 0),
      price: s.price,
      unitCost: s.unitCost,
      holdingCost,
      stockSource: s.stockSource,
      plan,
    };
  });
}

export interface StockoutDecision {
  readonly storeId: string;
  readonly productId: string;
  readonly onHand: number;
  readonly price: number;
  readonly loss: StockoutLoss;
}

/** Expected lost units and revenue of every series over `horizon` periods (default: the forecast's). */
export function stockoutDecisions(
  demand: ReadonlyMap<string, readonly DemandDistribution[]>,
  series: readonly SeriesInputs[],
  options: { readonly horizon?: number; readonly seed: number },
): StockoutDecision[] {
  return series.map((s, i) => ({
    storeId: s.storeId,
    productId: s.productId,
    onHand: s.onHand,
    price: s.price,
    loss: stockoutLoss({
      forecast: demandOf(demand, s.seriesId),
      onHand: s.onHand,
      inbound: s.inbound,
      price: s.price,
      unitCost: s.unitCost,
      horizon: options.horizon,
      sum: { seed: options.seed + i },
    }),
  }));
}

/** Where the pricing decision's demand response comes from. */
export type ResponseChoice = 'auto' | 'elasticity' | 'what-if';

export interface PricingOptions {
  /** Default 'auto': the elasticity when its price variation is enough, else the what-if curve. */
  readonly response?: ResponseChoice;
  readonly objective?: 'profit' | 'revenue';
  readonly grid?: { readonly min: number; readonly max: number; readonly step: number };
}

export interface PricingDecision {
  readonly productId: string;
  readonly shelfPrice: number;
  readonly unitCost: number;
  /** Expected units over the forecast horizon, all selected stores, without a discount. */
  readonly baseUnits: number;
  /** 'elasticity' (log-log Poisson regression on history), 'what-if' (the model re-run per discount), or 'none'. */
  readonly method: 'elasticity' | 'what-if' | 'none';
  readonly elasticity: ElasticityEstimate | null;
  /** Why no optimisation was done, when method is 'none'. */
  readonly reason: string | null;
  readonly result: DiscountOptimization | null;
}

export interface PricingSources {
  /** Sales history for elasticities (from the panel). */
  readonly history?: SalesHistory;
  /**
   * The model's what-if curve: expected units of a product over the horizon, summed over the
   * selected stores, when every forecast period is at `discountPct`.
   */
  readonly whatIf?: (productId: string, discountPct: number) => number;
}

/**
 * The discount optimisation of every product of `series`, from its elasticity or the model's
 * what-if curve; the method used is reported per product.
 */
export function pricingDecisions(
  demand: ReadonlyMap<string, readonly DemandDistribution[]>,
  series: readonly SeriesInputs[],
  sources: PricingSources,
  options: PricingOptions = {},
): PricingDecision[] {
  const choice = options.response ?? 'auto';
  // Checked up front: a product may need no optimisation, and a bad grid is wrong either way.
  if (options.grid) discountGrid(options.grid);
  if (choice === 'what-if' && !sources.whatIf) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      "the what-if response needs the known future drivers with a 'discount_pct' column (--future).",
      { field: 'response' },
    );
  }
  const estimates = new Map(
    choice !== 'what-if' && sources.history
      ? estimateElasticities(sources.history).map((e) => [e.productId, e])
      : [],
  );
  const products = [...new Set(series.map((s) => s.productId))].sort();
  return products.map((productId) => {
    const rows = series.filter((s) => s.productId === productId);
    let baseUnits = 0;
    for (const s of rows) for (const d of demandOf(demand, s.seriesId)) baseUnits += d.mean;
    const unitCost = rows.reduce((a, s) => a + s.unitCost, 0) / rows.length;
    const shelfPrice = rows.reduce((a, s) => a + s.shelfPrice, 0) / rows.length;
    const e = estimates.get(productId) ?? null;
    const useElasticity =
      choice === 'elasticity' ||
      (choice === 'auto' && e?.enoughPriceVariation === true && e.elasticity !== null);
    const base = { productId, shelfPrice, unitCost, baseUnits, elasticity: e };
    const whatIf = sources.whatIf;
    const response: DemandResponse | undefined =
      useElasticity && e?.elasticity !== null && e?.elasticity !== undefined
        ? { kind: 'elasticity', elasticity: e.elasticity, standardError: e.standardError ?? 0 }
        : choice !== 'elasticity' && whatIf
          ? { kind: 'what-if', units: (d) => whatIf(productId, d) }
          : undefined;
    if (response) {
      const result = optimizeDiscount({
        shelfPrice,
        unitCost,
        baseUnits,
        objective: options.objective,
        grid: options.grid,
        response,
      });
      return { ...base, method: response.kind, reason: null, result };
    }
    const reason =
      e === null
        ? 'no sales history to estimate an elasticity from, and no future drivers for a what-if curve'
        : e.elasticity === null
          ? 'the elasticity is not estimable (a single price), and no future drivers for a what-if curve'
          : `the price variation is too small for a reliable elasticity (${e.distinctPrices} prices, ${Math.round(e.unitsOffRegularPrice)} units off the regular price), and no future drivers for a what-if curve`;
    return { ...base, method: 'none', reason, result: null };
  });
}

/** The expansion ranking of the stores (every assumption repeated in the result). */
export function expansionDecision(
  stores: readonly StoreHistory[],
  assumptions: Partial<ExpansionAssumptions> = {},
  filter: { readonly stores?: readonly string[] } = {},
): ExpansionRanking {
  const chosen = filter.stores ? stores.filter((s) => filter.stores?.includes(s.storeId)) : stores;
  if (chosen.length === 0) {
    throw new SalescastError('INVALID_DATA', 'no store has a size (size_sqm) and revenue to rank.', {
      field: 'size_sqm',
    });
  }
  return rankExpansion(chosen, assumptions);
}

export interface ExecutiveSummary {
  readonly actions: readonly SummaryAction[];
  readonly totals: {
    readonly reordersDue: number;
    readonly criticalReorders: number;
    /** Σ expected lost revenue over the horizon, every selected series. */
    readonly revenueAtRisk: number;
    readonly pricingOpportunities: number;
    /** Σ expected profit gain of the pricing opportunities. */
    readonly pricingProfitGain: number;
    readonly anomalies: number;
  };
  /** Plain sentences: the headline numbers, and "none" for what has nothing to report. */
  readonly headlines: readonly string[];
}

/** The top actions and the headline totals of the reorder, stockout, pricing and anomaly rows. */
export function summaryDecision(
  inventory: readonly InventoryDecision[],
  stockouts: readonly StockoutDecision[],
  pricing: readonly PricingDecision[],
  anomalies: readonly AnomalyRow[] | null,
  topN = 10,
): ExecutiveSummary {
  const actions = executiveSummary({
    reorders: inventory.map((r) => ({
      storeId: r.storeId,
      productId: r.productId,
      plan: r.plan,
      unitCost: r.unitCost,
    })),
    stockouts: stockouts.map((r) => ({ storeId: r.storeId, productId: r.productId, loss: r.loss })),
    pricing: pricing.flatMap((r) => (r.result ? [{ productId: r.productId, result: r.result }] : [])),
    anomalies: anomalies ?? [],
    topN,
  });
  const due = inventory.filter((r) => r.plan.reorderDue);
  const critical = due.filter((r) => r.plan.urgency === 'critical');
  const revenueAtRisk = stockouts.reduce((a, r) => a + r.loss.expectedLostRevenue, 0);
  const horizon = stockouts[0]?.loss.horizon ?? 0;
  const opportunities = pricing.filter(
    (r) => r.result !== null && r.result.optimum.discountPct > 0 && r.result.deltaProfit > 0,
  );
  const gain = opportunities.reduce((a, r) => a + (r.result?.deltaProfit ?? 0), 0);
  const headlines = [
    due.length === 0
      ? `No reorder is due across ${inventory.length} series.`
      : `${due.length} of ${inventory.length} series need a reorder now${critical.length > 0 ? `, ${critical.length} of them critical (stock runs out before an order can arrive)` : ''}.`,
    revenueAtRisk > 0
      ? `${revenueAtRisk.toFixed(2)} of revenue is at risk from stockouts over the next ${horizon} periods without new orders.`
      : `No revenue is at risk from stockouts over the next ${horizon} periods.`,
    opportunities.length === 0
      ? 'No discount pays for itself at the current margins.'
      : `${opportunities.length} product(s) gain profit from a discount: ${gain.toFixed(2)} in total.`,
    anomalies === null
      ? 'No anomalies are known: no anomaly source was given.'
      : anomalies.length === 0
        ? 'No anomalies were found.'
        : `${anomalies.length} anomalie(s) are listed.`,
  ];
  return {
    actions,
    totals: {
      reordersDue: due.length,
      criticalReorders: critical.length,
      revenueAtRisk,
      pricingOpportunities: opportunities.length,
      pricingProfitGain: gain,
      anomalies: anomalies?.length ?? 0,
    },
    headlines,
  };
}
