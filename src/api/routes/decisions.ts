/**
 * Decisions from the tenant's production model: reorders, stockout risk, discounts, store
 * expansion and the executive summary (JSON, and PDF at `/v1/decisions/summary.pdf`). Field names
 * follow the decision library (docs/DECISIONS.md). Permission `forecasts:view`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import { LARGEST_INPUT } from '../../core/magnitude.js';
import type { DecisionKind } from '../../decide/adapters-report.js';
import type { Platform } from '../../platform/platform.js';
import { createDecisionService, type DecisionRequest } from '../../realtime/decision-service.js';
import { principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Num = Type.Number();
/** An amount a request supplies: bounded, so no decision's arithmetic overflows (`LARGEST_INPUT`). */
const NonNeg = Type.Number({ minimum: 0, maximum: LARGEST_INPUT });
const Amount = Type.Number({ minimum: -LARGEST_INPUT, maximum: LARGEST_INPUT });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Inbound = Type.Object(
  { units: NonNeg, arrivalPeriod: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

const Body = Type.Object(
  {
    model: Type.Optional(
      Type.String({ maxLength: 120, description: "Registered model name; default 'default'." }),
    ),
    stores: Type.Optional(Type.Array(Id, { maxItems: 1000, description: 'Only these stores.' })),
    products: Type.Optional(Type.Array(Id, { maxItems: 10_000, description: 'Only these products.' })),
    horizon: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, description: "Default: the model's horizon." }),
    ),
    leadTime: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, default: 7 })),
    reviewPeriod: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, default: 1 })),
    serviceLevel: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95 })),
    holdingRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 10, description: 'Yearly, of unit cost; default 0.25.' }),
    ),
    orderCost: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: LARGEST_INPUT,
        description: 'Fixed cost per order; turns on the EOQ.',
      }),
    ),
    riskHorizon: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 366,
        description: 'Periods of the stockout risk; default the horizon.',
      }),
    ),
    inventory: Type.Optional(
      Type.Array(
        Type.Object(
          {
            storeId: Id,
            productId: Id,
            onHand: Type.Optional(NonNeg),
            inbound: Type.Optional(Type.Array(Inbound, { maxItems: 100 })),
            price: Type.Optional(NonNeg),
            unitCost: Type.Optional(NonNeg),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100_000, description: "Per series facts overriding the panel's last period." },
      ),
    ),
    prices: Type.Optional(
      Type.Array(
        Type.Object(
          { productId: Id, price: Type.Optional(NonNeg), unitCost: Type.Optional(NonNeg) },
          { additionalProperties: false },
        ),
        { maxItems: 10_000, description: 'Per product price and unit cost (every store).' },
      ),
    ),
    response: Type.Optional(stringEnum(['auto', 'elasticity', 'what-if'] as const)),
    objective: Type.Optional(stringEnum(['profit', 'revenue'] as const)),
    grid: Type.Optional(
      Type.Object(
        {
          min: Type.Number({ minimum: 0, maximum: 99 }),
          max: Type.Number({ minimum: 0, maximum: 99 }),
          step: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
    ),
    assumptions: Type.Optional(
      Type.Object(
        {
          addedSpaceFraction: Type.Optional(NonNeg),
          captureRate: Type.Optional(NonNeg),
          grossMarginRate: Type.Optional(NonNeg),
          fitOutCostPerSqm: Type.Optional(NonNeg),
          operatingCostPerSqmYear: Type.Optional(NonNeg),
          horizonYears: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          discountRate: Type.Optional(NonNeg),
          benchmarkQuantile: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        },
        { additionalProperties: false, description: 'Store expansion assumptions (docs/DECISIONS.md).' },
      ),
    ),
    anomalies: Type.Optional(
      Type.Array(
        Type.Object(
          {
            storeId: Id,
            productId: Id,
            date: Type.String({ format: 'date' }),
            observedUnits: Amount,
            expectedUnits: Amount,
            unitValue: NonNeg,
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000, description: 'Known anomalies for the summary.' },
      ),
    ),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
  },
  { additionalProperties: false },
);
type BodyT = (typeof Body)['static'];

const Settings = Type.Object({
  leadTime: Type.Integer(),
  reviewPeriod: Type.Integer(),
  serviceLevel: Num,
  holdingRate: Num,
  orderCost: Type.Optional(Num),
  riskHorizon: Type.Optional(Type.Integer()),
  periodDays: Type.Integer(),
  seed: Type.Integer(),
});

const Meta = {
  model: Type.String({ description: 'The forecaster model whose quantiles the decisions use.' }),
  origin: Type.String({ description: 'First forecast period.' }),
  horizon: Type.Integer(),
  frequency: stringEnum(['day', 'week'] as const),
  settings: Settings,
  series: Type.Integer(),
  production: Type.Object({
    name: Type.String(),
    version: Type.Integer(),
    datasetId: Nullable(Type.String()),
  }),
  panelSource: stringEnum(['dataset', 'training-history'] as const),
};

const Plan = Type.Object({
  leadTime: Type.Integer(),
  riskPeriods: Type.Integer(),
  serviceLevel: Num,
  criticalFractile: Nullable(Num),
  riskDemandMean: Num,
  riskDemandSd: Num,
  safetyStock: Num,
  reorderPoint: Num,
  orderUpTo: Num,
  expectedCycleServiceLevel: Num,
  inventoryPosition: Num,
  reorderDue: Type.Boolean(),
  economicOrderQuantity: Nullable(Num),
  orderQuantity: Num,
  periodsUntilStockout: Nullable(Num),
  urgency: stringEnum(['critical', 'high', 'normal', 'none'] as const),
});
const InventoryRow = Type.Object({
  storeId: Type.String(),
  productId: Type.String(),
  onHand: Num,
  inboundUnits: Num,
  price: Num,
  unitCost: Num,
  holdingCost: Num,
  stockSource: stringEnum(['request', 'panel'] as const),
  plan: Plan,
});
const StockoutRow = Type.Object({
  storeId: Type.String(),
  productId: Type.String(),
  onHand: Num,
  price: Num,
  loss: Type.Object({
    horizon: Type.Integer(),
    expectedDemand: Num,
    availableUnits: Num,
    expectedLostUnits: Num,
    expectedLostRevenue: Num,
    expectedLostMargin: Num,
    stockoutProbability: Num,
    method: stringEnum(['distribution', 'simulation'] as const),
  }),
});
const Point = Type.Object({
  discountPct: Num,
  paidPrice: Num,
  units: Num,
  revenue: Num,
  profit: Num,
  unitsLow: Num,
  unitsHigh: Num,
  profitLow: Num,
  profitHigh: Num,
});
const PricingRow = Type.Object({
  productId: Type.String(),
  shelfPrice: Num,
  unitCost: Num,
  baseUnits: Num,
  method: stringEnum(['elasticity', 'what-if', 'none'] as const),
  elasticity: Nullable(
    Type.Object({
      productId: Type.String(),
      elasticity: Nullable(Num),
      standardError: Nullable(Num),
      rows: Type.Integer(),
      distinctPrices: Type.Integer(),
      logPriceSd: Num,
      unitsOffRegularPrice: Num,
      enoughPriceVariation: Type.Boolean(),
    }),
  ),
  reason: Nullable(Type.String()),
  result: Nullable(
    Type.Object({
      objective: stringEnum(['profit', 'revenue'] as const),
      curve: Type.Array(Point),
      optimum: Point,
      baseline: Point,
      deltaUnits: Num,
      deltaRevenue: Num,
      deltaProfit: Num,
      deltaProfitLow: Num,
      deltaProfitHigh: Num,
      optimumRangePct: Type.Array(Num, { minItems: 2, maxItems: 2 }),
    }),
  ),
});
const Expansion = Type.Object({
  assumptions: Type.Object({
    addedSpaceFraction: Num,
    captureRate: Num,
    grossMarginRate: Num,
    fitOutCostPerSqm: Num,
    operatingCostPerSqmYear: Num,
    horizonYears: Num,
    discountRate: Num,
    benchmarkQuantile: Num,
  }),
  stores: Type.Array(
    Type.Object({
      storeId: Type.String(),
      region: Type.String(),
      type: Type.String(),
      sizeSqm: Num,
      annualRevenue: Num,
      salesPerSqm: Num,
      growth: Num,
      saturation: Num,
      benchmarkPeers: Type.Integer(),
      addedSqm: Num,
      incrementalRevenueYear1: Num,
      investment: Num,
      netPresentValue: Num,
      roi: Num,
      rank: Type.Integer(),
    }),
  ),
  regions: Type.Array(
    Type.Object({
      region: Type.String(),
      stores: Type.Integer(),
      annualRevenue: Num,
      growth: Num,
      saturation: Num,
      investment: Num,
      netPresentValue: Num,
      roi: Num,
      rank: Type.Integer(),
    }),
  ),
});
const Summary = Type.Object({
  actions: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      kind: stringEnum(['reorder', 'stockout-risk', 'pricing', 'anomaly'] as const),
      storeId: Nullable(Type.String()),
      productId: Type.String(),
      moneyAtStake: Num,
      sentence: Type.String(),
    }),
  ),
  totals: Type.Object({
    reordersDue: Type.Integer(),
    criticalReorders: Type.Integer(),
    revenueAtRisk: Num,
    pricingOpportunities: Type.Integer(),
    pricingProfitGain: Num,
    anomalies: Type.Integer(),
  }),
  headlines: Type.Array(Type.String()),
});

/** The request body as the service takes it. */
function requestOf(b: BodyT): DecisionRequest {
  return {
    model: b.model,
    stores: b.stores,
    products: b.products,
    horizon: b.horizon,
    settings: {
      ...(b.leadTime !== undefined ? { leadTime: b.leadTime } : {}),
      ...(b.reviewPeriod !== undefined ? { reviewPeriod: b.reviewPeriod } : {}),
      ...(b.serviceLevel !== undefined ? { serviceLevel: b.serviceLevel } : {}),
      ...(b.holdingRate !== undefined ? { holdingRate: b.holdingRate } : {}),
      ...(b.orderCost !== undefined ? { orderCost: b.orderCost } : {}),
      ...(b.riskHorizon !== undefined ? { riskHorizon: b.riskHorizon } : {}),
    },
    series: b.inventory,
    productOverrides: b.prices,
    pricing: { response: b.response, objective: b.objective, grid: b.grid },
    expansion: b.assumptions,
    anomalies: b.anomalies ?? null,
    topN: b.top,
  };
}

export const decisionRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (
  app,
  { platform },
) => {
  const service = createDecisionService({
    productionModels: platform.productionModels,
    tenants: platform.tenants,
    usage: platform.usage,
    dataDir: platform.config.dataDir,
  });
  const route = <K extends string, S extends TSchema>(
    path: string,
    kind: DecisionKind,
    key: K,
    schema: S,
    description: string,
  ) =>
    app.post(
      `/decisions/${path}`,
      {
        schema: {
          tags: ['decisions'],
          description,
          body: Body,
          response: { 200: Type.Object({ ...Meta, [key]: schema }) },
        },
      },
      async (request) => service.decide(principalOf(request), [kind], requestOf(request.body)),
    );
  route(
    'inventory',
    'inventory',
    'inventory',
    Type.Array(InventoryRow),
    'Per store × product: safety stock, reorder point, order-up-to level, order quantity (newsvendor fractile, EOQ with an order cost), days until stockout and urgency.',
  );
  route(
    'stockout-risk',
    'stockout',
    'stockout',
    Type.Array(StockoutRow),
    'Per store × product: expected lost units, revenue and margin over the horizon without new orders, and the stockout probability.',
  );
  route(
    'pricing',
    'pricing',
    'pricing',
    Type.Array(PricingRow),
    'Per product: the discount curve, the optimum and the change in units, revenue and profit with its 95% band; says whether the demand response is the elasticity or the what-if curve.',
  );
  route(
    'expansion',
    'expansion',
    'expansion',
    Expansion,
    'Stores and regions ranked by the ROI of added space, from growth and saturation, with every assumption repeated.',
  );
  route(
    'summary',
    'summary',
    'summary',
    Summary,
    'The executive summary: top actions by money at stake (reorders due, revenue at risk, pricing opportunities, anomalies) and the headline totals.',
  );
  app.post(
    '/decisions/summary.pdf',
    {
      schema: {
        tags: ['decisions'],
        description: 'The executive summary as a PDF with the tenant’s branding.',
        body: Body,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const bytes = await service.summaryPdf(principalOf(request), requestOf(request.body));
      return (
        reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="decisions-summary.pdf"')
          // A Buffer is sent as is.
          .send(bytes as never)
      );
    },
  );
};
