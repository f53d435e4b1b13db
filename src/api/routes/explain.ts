/**
 * Explanations of the tenant's production model: drivers of a forecast and "why did sales change"
 * (`POST /v1/explain`), what-if scenarios (`POST /v1/whatif`) and goal seeking
 * (`POST /v1/goal-seek`). Future drivers may come in the body; without them the drivers of the
 * forecast periods are unknown, as in a forecast without a future file.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import { LARGEST_INPUT } from '../../core/magnitude.js';
import type { Platform } from '../../platform/platform.js';
import { createExplainService } from '../../realtime/explain-service.js';
import { principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Id = Type.String({ minLength: 1, maxLength: 200 });

/** Fields every explanation request shares: the model, the horizon, the future drivers. */
const ModelFields = {
  model: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: "Registered model name; default 'default'." }),
  ),
  component: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        "Model explained: 'ensemble' or a global member (e.g. 'gbm'); default the ensemble if there is one, else gbm or the first.",
    }),
  ),
  horizon: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 366, description: "Periods; default the model's horizon." }),
  ),
  future: Type.Optional(
    Type.Array(
      // Values are checked by the service: with type coercion on, a union would turn null into ''.
      Type.Record(Type.String(), Type.Unknown()),
      {
        maxItems: 100_000,
        description:
          'Known drivers of the forecast periods: series_id (or store_id + product_id), date, and driver columns.',
      },
    ),
  ),
};

const SelectionFields = {
  series: Type.Optional(Id),
  store: Type.Optional(Id),
  product: Type.Optional(Id),
};

const Units = Type.Record(Type.String(), Type.Number(), { description: 'Units per business driver' });
const Interval = Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]);
const Production = Type.Object(
  { name: Type.String(), version: Type.Integer(), dataset_id: Type.Union([Type.String(), Type.Null()]) },
  { description: 'The production version that answered.' },
);
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const ExplainBody = Type.Object(
  {
    ...ModelFields,
    ...SelectionFields,
    global: Type.Optional(Type.Boolean({ description: "Add the model's global importance ranking." })),
    why: Type.Optional(
      Type.Object(
        {
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          compare_from: Type.Optional(Day),
          compare_to: Type.Optional(Day),
        },
        {
          additionalProperties: false,
          description:
            'Why sales changed from the compared period to this one (default: last week vs the week before).',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

const ExplainResponse = Type.Object({
  production: Production,
  model: Type.String({ description: "The explained model: a global member (e.g. gbm), or 'ensemble'" }),
  link: Type.String(),
  members: Type.Optional(
    Type.Record(Type.String(), Type.Number(), { description: "An ensemble's member → weight" }),
  ),
  h: Type.Integer(),
  series: Type.Integer(),
  periods: Type.Array(
    Type.Object({ date: Type.String(), prediction: Type.Number(), base: Type.Number(), drivers: Units }),
  ),
  rows: Type.Array(
    Type.Object({
      series_id: Type.String(),
      date: Type.String(),
      prediction: Type.Number(),
      base: Type.Number(),
      drivers: Units,
      multipliers: Type.Optional(Units),
    }),
  ),
  importance: Type.Optional(
    Type.Object({
      method: Type.String(),
      drivers: Type.Array(Type.Object({ driver: Type.String(), share: Type.Number() })),
      features: Type.Array(Type.Object({ name: Type.String(), driver: Type.String(), share: Type.Number() })),
    }),
  ),
  change: Type.Optional(
    Type.Object({
      model: Type.String({
        description: 'The global model whose contributions to the past explain the change',
      }),
      segment: Type.Object({
        kind: Type.String(),
        id: Type.Optional(Type.String()),
        store: Type.Optional(Type.String()),
      }),
      period: Type.Object({ from: Type.String(), to: Type.String() }),
      compared_with: Type.Object({ from: Type.String(), to: Type.String() }),
      actual: Type.Tuple([Type.Number(), Type.Number()]),
      change: Type.Number(),
      relative_change: Nullable(Type.Number()),
      drivers: Type.Array(Type.Object({ driver: Type.String(), units: Type.Number() })),
      unexplained: Type.Number(),
      narrative: Type.String(),
    }),
  ),
});

const WhatIfBody = Type.Object(
  {
    ...ModelFields,
    ...SelectionFields,
    category: Type.Optional(Id),
    actions: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      minItems: 1,
      maxItems: 20,
      description: "Scenario actions: 'discount+5', 'price*0.9', 'promo=on', 'promo_type=flyer'.",
    }),
  },
  { additionalProperties: false },
);

const Totals = {
  baseline: Type.Number(),
  scenario: Type.Number(),
  delta: Type.Number(),
  relative: Nullable(Type.Number()),
  baseline_interval: Interval,
  scenario_interval: Interval,
};

const WhatIfResponse = Type.Object({
  production: Production,
  model: Type.String(),
  h: Type.Integer(),
  actions: Type.Array(
    Type.Object({
      driver: Type.String(),
      op: Type.String(),
      value: Type.Union([Type.Number(), Type.String()]),
    }),
  ),
  changed_rows: Type.Integer(),
  total: Type.Object(Totals),
  series: Type.Array(Type.Object({ series_id: Type.String(), ...Totals })),
  periods: Type.Array(
    Type.Object({
      date: Type.String(),
      baseline: Type.Number(),
      scenario: Type.Number(),
      baseline_interval: Interval,
      scenario_interval: Interval,
    }),
  ),
});

const GoalSeekBody = Type.Object(
  {
    ...ModelFields,
    ...SelectionFields,
    driver: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "'discount', 'price' or a driver column.",
    }),
    target: Type.Number({
      minimum: 0,
      maximum: LARGEST_INPUT,
      description: 'Units to reach over the selected series.',
    }),
    per: Type.Optional(stringEnum(['week', 'horizon'] as const)),
    min: Type.Optional(
      Type.Number({
        minimum: -LARGEST_INPUT,
        maximum: LARGEST_INPUT,
        description: 'Smallest permitted change (points, or factor for prices).',
      }),
    ),
    max: Type.Optional(
      Type.Number({
        minimum: -LARGEST_INPUT,
        maximum: LARGEST_INPUT,
        description: 'Largest permitted change.',
      }),
    ),
  },
  { additionalProperties: false },
);

const GoalSeekResponse = Type.Object({
  production: Production,
  model: Type.String(),
  h: Type.Integer(),
  driver: Type.String(),
  op: Type.String(),
  bounds: Type.Tuple([Type.Number(), Type.Number()]),
  target: Type.Number(),
  per: Type.String(),
  reachable: Type.Boolean(),
  change: Type.Number(),
  achieved: Type.Number(),
  baseline: Type.Number(),
  evaluations: Type.Integer(),
  message: Type.String(),
});

export const explainRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const service = createExplainService({
    productionModels: platform.productionModels,
    tenants: platform.tenants,
    usage: platform.usage,
  });
  const selection = (b: { series?: string; store?: string; product?: string; category?: string }) => ({
    series: b.series,
    store: b.store,
    product: b.product,
    category: b.category,
  });

  app.post(
    '/explain',
    { schema: { tags: ['explain'], body: ExplainBody, response: { 200: ExplainResponse } } },
    async (request) => {
      const b = request.body;
      return service.explain(principalOf(request), {
        ...b,
        selection: selection(b),
        why: b.why && {
          from: b.why.from,
          to: b.why.to,
          compareFrom: b.why.compare_from,
          compareTo: b.why.compare_to,
        },
      });
    },
  );

  app.post(
    '/whatif',
    { schema: { tags: ['explain'], body: WhatIfBody, response: { 200: WhatIfResponse } } },
    async (request) =>
      service.whatIf(principalOf(request), { ...request.body, selection: selection(request.body) }),
  );

  app.post(
    '/goal-seek',
    { schema: { tags: ['explain'], body: GoalSeekBody, response: { 200: GoalSeekResponse } } },
    async (request) =>
      service.goalSeek(principalOf(request), {
        ...request.body,
        per: request.body.per ?? 'week',
        selection: selection(request.body),
      }),
  );
};
