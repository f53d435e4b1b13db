/**
 * Real-time forecasts from the tenant's production model: one series (`POST /forecast`, with its
 * drivers on request) or many, streamed as NDJSON one series per line (`POST /forecast/batch`), or
 * run as a durable job whose NDJSON result is read back (`GET /forecast/batch/:jobId`).
 */

import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { batchNdjson, type ForecastResponse, MAX_BATCH_ROWS } from '../../realtime/forecast-service.js';
import type { Realtime } from '../../realtime/realtime.js';
import { principalOf } from '../plugins/auth.js';

const Driver = Type.Union([Type.Number(), Type.String(), Type.Null()]);
const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer() });
const Row = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD' }),
  yhat: Type.Number(),
  quantiles: Type.Record(Type.String(), Type.Number(), { description: 'level (e.g. "0.1") → value' }),
});
const Explanation = Type.Object({
  model: Type.String({ description: "The explained model: the served one (e.g. gbm), or 'ensemble'" }),
  link: Type.Union([Type.Literal('identity'), Type.Literal('log')]),
  members: Type.Optional(
    Type.Record(Type.String(), Type.Number(), { description: "An ensemble's member → weight" }),
  ),
  periods: Type.Array(
    Type.Object({
      date: Type.String(),
      prediction: Type.Number({ description: 'The forecast (units) before the floor at 0' }),
      base: Type.Number(),
      drivers: Type.Record(Type.String(), Type.Number(), { description: 'driver group → units' }),
    }),
  ),
});
const ModelName = Type.String({
  minLength: 1,
  maxLength: 100,
  description: "Registered model name; default 'default'",
});

/**
 * The JSON of an answer without an explanation, written by hand so that the forecast rows are
 * serialised once per cached answer (`serializedRows` is keyed by the cache's own rows array, which
 * every level-1 hit hands back). The schema serialiser took a seventh of a cached forecast's CPU,
 * most of it matching the quantile keys. The rows hold exactly the schema's fields, so
 * `JSON.stringify` writes what the schema would.
 */
function answerJson(answer: ForecastResponse, serializedRows: WeakMap<object, string>): string {
  let rows = serializedRows.get(answer.forecasts);
  if (rows === undefined) {
    rows = JSON.stringify(answer.forecasts);
    serializedRows.set(answer.forecasts, rows);
  }
  const { series_id, model, h, cache } = answer;
  return `{"series_id":${JSON.stringify(series_id)},"model":{"name":${JSON.stringify(model.name)},"version":${model.version}},"h":${h},"cache":"${cache}","forecasts":${rows}}`;
}

/** Largest body of `POST /forecast/batch`: 1,000,000 ids of up to 40 characters, quoted. */
const BATCH_BODY_LIMIT = 48 * 1024 * 1024;

export const forecastRoutes: FastifyPluginAsyncTypebox<{ realtime: Realtime }> = async (
  app,
  { realtime },
) => {
  const serializedRows = new WeakMap<object, string>();
  app.post(
    '/forecast',
    {
      schema: {
        tags: ['forecast'],
        description:
          'Forecasts one series with the production model, from its live state (training history plus streamed actuals). Answers from the prediction cache when the same inputs were forecast within its TTL.',
        body: Type.Object(
          {
            series_id: Type.String({ minLength: 1, maxLength: 200 }),
            h: Type.Integer({ minimum: 1, maximum: 366 }),
            model: Type.Optional(ModelName),
            future: Type.Optional(
              Type.Array(
                Type.Object(
                  { date: Type.String(), drivers: Type.Record(Type.String(), Driver) },
                  { additionalProperties: false },
                ),
                { maxItems: 366, description: 'Known drivers of forecast dates (price, promotion, …)' },
              ),
            ),
            explain: Type.Optional(
              Type.Boolean({
                description:
                  'Add the drivers of each forecast period (base + drivers = prediction), as POST /v1/explain computes them; 400 for a model without a learner (naive, ETS)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            series_id: Type.String(),
            model: ModelRef,
            h: Type.Integer(),
            cache: Type.Union([Type.Literal('l1'), Type.Literal('l2'), Type.Literal('miss')]),
            forecasts: Type.Array(Row),
            explanation: Type.Optional(Explanation),
          }),
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const answer = await realtime.forecasts.forecast(principalOf(request), {
        seriesId: b.series_id,
        h: b.h,
        model: b.model,
        future: b.future,
        explain: b.explain,
      });
      if (!answer.explanation) {
        // A reply serialiser leaves the content type to the route.
        reply.type('application/json; charset=utf-8').serializer(() => answerJson(answer, serializedRows));
      }
      return answer;
    },
  );

  app.post(
    '/forecast/batch',
    {
      // A list of a million series ids (what the schema allows) runs to tens of megabytes; the
      // server's 1 MiB default would refuse it long before.
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ['forecast'],
        description: `Forecasts many series (default: all) and streams application/x-ndjson: a header line {"model","h","series","rows"}, then one line per series {"series_id","forecasts"}. At most ${MAX_BATCH_ROWS} rows (series × h) are streamed; a larger batch answers 413. With "async": true the batch (any size) runs as a durable job instead: 202 with the job id, result at GET /v1/forecast/batch/{jobId}.`,
        body: Type.Object(
          {
            series_ids: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1_000_000 }),
            ),
            h: Type.Integer({ minimum: 1, maximum: 366 }),
            model: Type.Optional(ModelName),
            async: Type.Optional(
              Type.Boolean({
                description: 'Run the batch as a durable job (202 with its id) instead of streaming it',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The forecasts, application/x-ndjson',
            content: { 'application/x-ndjson': { schema: Type.String() } },
          },
          202: Type.Object({
            job_id: Type.String(),
            status: Type.String({ description: 'queued' }),
            series: Type.Integer(),
            rows: Type.Integer(),
            h: Type.Integer(),
            result_url: Type.String({
              description: 'Where the NDJSON result is read once the job succeeded',
            }),
          }),
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const input = { seriesIds: b.series_ids, h: b.h, model: b.model };
      if (b.async) {
        const { job, series, rows } = await realtime.batchJobs.enqueue(principalOf(request), input);
        return reply.code(202).send({
          job_id: job.id,
          status: job.status,
          series,
          rows,
          h: b.h,
          result_url: `/v1/forecast/batch/${job.id}`,
        });
      }
      const batch = await realtime.forecasts.batch(principalOf(request), input);
      // A stream is sent as is; no JSON serialization applies to it.
      return reply.type('application/x-ndjson').send(Readable.from(batchNdjson(batch)) as never);
    },
  );

  app.get(
    '/forecast/batch/:jobId',
    {
      schema: {
        tags: ['forecast'],
        description:
          'The application/x-ndjson result of a batch forecast job (same lines as a streamed batch). 409 while the job is queued or running, or when it failed (GET /v1/jobs/{id} shows why); 404 for a job of another tenant or kind.',
        params: Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: {
            description: 'The forecasts, application/x-ndjson',
            content: { 'application/x-ndjson': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      const { open } = await realtime.batchJobs.result(principalOf(request), request.params.jobId);
      return reply.type('application/x-ndjson').send(open() as never);
    },
  );
};
