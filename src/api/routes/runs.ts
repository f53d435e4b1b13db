/**
 * Experiment runs: start a training (or backtest) run on a dataset, list, read and compare runs.
 * Training runs synchronously for now and answers with the run and the version it registered.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SalescastError } from '../../core/errors.js';
import { GBM_LOSSES, MODEL_CHOICES } from '../../forecast/presets.js';
import { RUN_KINDS } from '../../mlops/registry-service.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';
import { ModelVersion } from './models.js';

const Json = Type.Record(Type.String(), Type.Unknown());

export const Run = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: Type.String({ description: 'succeeded | failed' }),
  model_name: Type.Union([Type.String(), Type.Null()]),
  params: Json,
  dataset_id: Type.Union([Type.String(), Type.Null()]),
  input_hash: Type.String({ description: "SHA-256 of the dataset's uploaded files" }),
  features: Json,
  code_version: Type.String(),
  metrics: Type.Unknown({
    description: 'model, horizon, cutoffs, aggregate, folds (one per cutoff) and every model’s aggregate',
  }),
  error: Type.Union([Type.String(), Type.Null()]),
  artifact_ref: Type.Union([Type.String(), Type.Null()]),
  started_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  created_by: Type.String(),
});

const TrainBody = Type.Object(
  {
    dataset_id: Type.String({ minLength: 1, maxLength: 64 }),
    model_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    kind: Type.Optional(stringEnum(RUN_KINDS)),
    horizon: Type.Integer({ minimum: 1, maximum: 10_000 }),
    model: Type.Optional(stringEnum([...MODEL_CHOICES, 'automl'] as const)),
    strategy: Type.Optional(stringEnum(['direct', 'recursive'] as const)),
    loss: Type.Optional(stringEnum(GBM_LOSSES)),
    intervals: Type.Optional(stringEnum(['conformal', 'quantile-loss'] as const)),
    quantiles: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), {
        minItems: 1,
        maxItems: 9,
        uniqueItems: true,
      }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0 })),
    trials: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    windows: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    streamed_actuals: Type.Optional(
      Type.Boolean({
        description:
          "Also train on the actuals streamed (POST /v1/stream) for dates after each series' end in the dataset; default false",
      }),
    ),
  },
  { additionalProperties: false },
);

export const runRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        description:
          'Trains on a dataset, backtests, records the run and (unless kind is backtest) registers a staging version.',
        body: TrainBody,
        response: {
          201: Type.Object({ run: Run, version: Type.Union([ModelVersion, Type.Null()]) }),
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await platform.registry.train(
        principalOf(request),
        {
          datasetId: b.dataset_id,
          modelName: b.model_name,
          kind: b.kind,
          horizon: b.horizon,
          model: b.model,
          strategy: b.strategy,
          loss: b.loss,
          intervals: b.intervals,
          quantiles: b.quantiles,
          seed: b.seed,
          trials: b.trials,
          windows: b.windows,
          streamedActuals: b.streamed_actuals,
        },
        contextOf(request),
      );
      return reply.status(201).send(result);
    },
  );
  app.get(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        querystring: Type.Object(
          {
            kind: Type.Optional(stringEnum(RUN_KINDS)),
            status: Type.Optional(stringEnum(['succeeded', 'failed'] as const)),
            model_name: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ runs: Type.Array(Run) }) },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        runs: await platform.registry.listRuns(principalOf(request), {
          kind: q.kind,
          status: q.status,
          modelName: q.model_name,
          limit: q.limit,
        }),
      };
    },
  );
  app.get(
    '/runs/compare',
    {
      schema: {
        tags: ['runs'],
        description: 'Side-by-side parameters and aggregate metrics of 2 to 10 runs.',
        querystring: Type.Object(
          { ids: Type.String({ minLength: 1, maxLength: 1000, description: 'run ids separated by commas' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            runs: Type.Array(Run),
            params: Type.Array(
              Type.Object({
                name: Type.String(),
                values: Type.Array(Type.Unknown()),
                differs: Type.Boolean(),
              }),
            ),
            metrics: Type.Array(
              Type.Object({
                name: Type.String(),
                values: Type.Array(Type.Union([Type.Number(), Type.Null()])),
                best: Type.Union([Type.Number(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const ids = request.query.ids
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.some((id) => id.length > 64)) {
        throw new SalescastError('INVALID_ARGUMENT', 'A run id is at most 64 characters.', { field: 'ids' });
      }
      return platform.registry.compareRuns(principalOf(request), ids);
    },
  );
  app.get(
    '/runs/:id',
    {
      schema: {
        tags: ['runs'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Run },
      },
    },
    async (request) => platform.registry.getRun(principalOf(request), request.params.id),
  );
};
