/**
 * Monitoring of production models (drift per feature, decay against the backtest) and the tenant's
 * MLOps settings (automatic promotion, decay policy).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';

const Num = Type.Union([Type.Number(), Type.Null()]);
const Report = Type.Object({
  id: Type.String(),
  model: Type.String(),
  version: Type.Integer(),
  dataset_id: Type.String(),
  created_at: Type.String(),
  drift_status: Type.String({ description: 'worst feature status: ok | warn | drift' }),
  drift: Type.Array(
    Type.Object({
      feature: Type.String(),
      kind: Type.String(),
      psi: Num,
      ks: Num,
      p: Num,
      status: Type.String(),
      n_reference: Type.Integer(),
      n_current: Type.Integer(),
    }),
  ),
  decay: Type.Object({
    expected_wape: Num,
    threshold: Num,
    realized_wape: Num,
    periods: Type.Array(
      Type.Object({
        start: Type.String(),
        end: Type.String(),
        n: Type.Integer(),
        actual: Type.Number(),
        abs_error: Type.Number(),
        wape: Num,
        exceeded: Type.Boolean(),
      }),
    ),
    trailing_exceeded: Type.Integer(),
    decayed: Type.Boolean(),
    policy: Type.Object({ margin: Type.Number(), periods: Type.Integer(), periodDays: Type.Integer() }),
  }),
  rows: Type.Integer(),
  streamed_actuals: Type.Integer({
    description: "Actuals streamed after the dataset's end (POST /v1/stream) that the check used",
  }),
  triggered_job_id: Type.Union([Type.String(), Type.Null()]),
});
const Settings = Type.Object({
  auto_promote: Type.Boolean(),
  decay: Type.Object({ margin: Type.Number(), periods: Type.Integer(), periodDays: Type.Integer() }),
  updated_by: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});

export const monitoringRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (
  app,
  { platform },
) => {
  const { monitoring, settings } = platform.operations;
  app.post(
    '/monitoring/check',
    {
      schema: {
        tags: ['monitoring'],
        description:
          "Compares the production model's forecasts with the actuals of a dataset and those streamed after it (decay), and those new rows with the training data (drift); stores the report. Starts a retrain when the tenant has a decay or drift schedule. Needs models:train.",
        body: Type.Object(
          {
            dataset_id: Type.String({ maxLength: 64 }),
            model: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Report },
      },
    },
    async (request, reply) => {
      const report = await monitoring.check(principalOf(request), {
        datasetId: request.body.dataset_id,
        model: request.body.model,
      });
      return reply.status(201).send(report);
    },
  );
  app.get(
    '/monitoring/reports',
    {
      schema: {
        tags: ['monitoring'],
        querystring: Type.Object(
          {
            model: Type.Optional(Type.String({ maxLength: 64 })),
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ reports: Type.Array(Report) }) },
      },
    },
    async (request) => ({ reports: await monitoring.list(principalOf(request), request.query) }),
  );
  app.get(
    '/monitoring/reports/:id',
    {
      schema: {
        tags: ['monitoring'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Report },
      },
    },
    async (request) => monitoring.get(principalOf(request), request.params.id),
  );
  app.get(
    '/mlops/settings',
    { schema: { tags: ['monitoring'], response: { 200: Settings } } },
    async (request) => settings.get(principalOf(request)),
  );
  app.put(
    '/mlops/settings',
    {
      schema: {
        tags: ['monitoring'],
        description:
          'Allow or forbid automatic promotion by retrain jobs, and set the decay policy. Needs models:promote.',
        body: Type.Object(
          {
            auto_promote: Type.Optional(Type.Boolean()),
            decay: Type.Optional(
              Type.Object(
                {
                  margin: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
                  periods: Type.Optional(Type.Integer({ minimum: 1, maximum: 52 })),
                  period_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Settings },
      },
    },
    async (request) => {
      const { auto_promote, decay } = request.body;
      return settings.update(
        principalOf(request),
        {
          auto_promote,
          decay: decay
            ? {
                ...(decay.margin !== undefined ? { margin: decay.margin } : {}),
                ...(decay.periods !== undefined ? { periods: decay.periods } : {}),
                ...(decay.period_days !== undefined ? { periodDays: decay.period_days } : {}),
              }
            : undefined,
        },
        contextOf(request),
      );
    },
  );
};
