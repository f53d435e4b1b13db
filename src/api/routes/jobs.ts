/** Durable jobs: list and follow them (status, timings, logs) and trigger a retrain. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { JOB_KINDS } from '../../mlops/jobs.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const JobSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: Type.String({ description: 'queued | running | succeeded | failed' }),
  payload: Type.Unknown(),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  created_by: Type.String(),
  created_at: Type.String(),
  started_at: Nullable(Type.String()),
  finished_at: Nullable(Type.String()),
  duration_seconds: Nullable(Type.Number()),
  lease_owner: Nullable(Type.String()),
  heartbeat_at: Nullable(Type.String()),
  result: Type.Unknown(),
  error: Type.Unknown(),
});
const LogLine = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  attempt: Type.Integer(),
  level: Type.String(),
  message: Type.String(),
});

export const RetrainBody = Type.Object(
  {
    dataset_id: Type.Optional(
      Type.String({ maxLength: 64, description: "Dataset to train on; default 'latest' (the newest)" }),
    ),
    model: Type.Optional(
      Type.String({ maxLength: 64, description: "Registered model name; default 'default'" }),
    ),
    horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Default 28' })),
    trials: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, description: 'AutoML trial budget; default 6' }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295 })),
    streamed_actuals: Type.Optional(
      Type.Boolean({
        description:
          "Also train on the actuals streamed (POST /v1/stream) for dates after each series' end in the dataset; default true",
      }),
    ),
  },
  { additionalProperties: false },
);

export const jobRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const { operations } = platform;
  app.get(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(['queued', 'running', 'succeeded', 'failed'].map((s) => Type.Literal(s))),
            ),
            kind: Type.Optional(Type.Union(JOB_KINDS.map((k) => Type.Literal(k)))),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ jobs: Type.Array(JobSchema) }) },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        jobs: await operations.jobs.list(principalOf(request), {
          status: q.status as 'queued' | undefined,
          kind: q.kind,
          limit: q.limit,
        }),
      };
    },
  );
  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        description: 'A job with its log lines (every attempt).',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Composite([JobSchema, Type.Object({ logs: Type.Array(LogLine) })]) },
      },
    },
    async (request) => operations.jobs.get(principalOf(request), request.params.id),
  );
  app.post(
    '/jobs/retrain',
    {
      schema: {
        tags: ['jobs'],
        description:
          'Enqueues a retrain: tune (AutoML), backtest, register a staging version, compare with the champion, and promote if the tenant allows automatic promotion. Needs models:train.',
        body: RetrainBody,
        response: { 202: JobSchema },
      },
    },
    async (request, reply) => {
      const job = await operations.retrain(principalOf(request), { ...request.body }, contextOf(request));
      return reply.status(202).send(job);
    },
  );
  app.post(
    '/jobs/monitor',
    {
      schema: {
        tags: ['jobs'],
        description:
          'Enqueues a monitoring check of a dataset (as POST /v1/monitoring/check, in the background); the job result names the report. Needs models:train.',
        body: Type.Object(
          {
            dataset_id: Type.String({ maxLength: 64 }),
            model: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: JobSchema },
      },
    },
    async (request, reply) => {
      const job = await operations.monitor(
        principalOf(request),
        { datasetId: request.body.dataset_id, model: request.body.model },
        contextOf(request),
      );
      return reply.status(202).send(job);
    },
  );
};
