/**
 * Real-time forecasts from the tenant's production model: one series (`POST /forecast`) or many,
 * streamed as NDJSON one series per line (`POST /forecast/batch`).
 */

import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MAX_BATCH_ROWS } from '../../realtime/forecast-service.js';
import type { Realtime } from '../../realtime/realtime.js';
import { principalOf } from '../plugins/auth.js';

const Driver = Type.Union([Type.Number(), Type.String(), Type.Null()]);
const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer() });
const Row = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD' }),
  yhat: Type.Number(),
  quantiles: Type.Record(Type.String(), Type.Number(), { description: 'level (e.g. "0.1") → value' }),
});
const ModelName = Type.String({
  minLength: 1,
  maxLength: 100,
  description: "Registered model name; default 'default'",
});

export const forecastRoutes: FastifyPluginAsyncTypebox<{ realtime: Realtime }> = async (
  app,
  { realtime },
) => {
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
          }),
        },
      },
    },
    async (request) => {
      const b = request.body;
      return realtime.forecasts.forecast(principalOf(request), {
        seriesId: b.series_id,
        h: b.h,
        model: b.model,
        future: b.future,
      });
    },
  );

  app.post(
    '/forecast/batch',
    {
      schema: {
        tags: ['forecast'],
        description: `Forecasts many series (default: all) and streams application/x-ndjson: a header line {"model","h","series","rows"}, then one line per series {"series_id","forecasts"}. At most ${MAX_BATCH_ROWS} rows (series × h) per request; larger batches answer 413.`,
        body: Type.Object(
          {
            series_ids: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1_000_000 }),
            ),
            h: Type.Integer({ minimum: 1, maximum: 366 }),
            model: Type.Optional(ModelName),
          },
          { additionalProperties: false },
        ),
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const b = request.body;
      const batch = await realtime.forecasts.batch(principalOf(request), {
        seriesIds: b.series_ids,
        h: b.h,
        model: b.model,
      });
      reply.type('application/x-ndjson');
      const header = { model: batch.model, h: batch.h, series: batch.series, rows: batch.rows };
      const lines = async function* () {
        yield `${JSON.stringify(header)}\n`;
        for (const chunk of batch.chunks) {
          let text = '';
          for (const s of chunk) text += `${JSON.stringify(s)}\n`;
          yield text;
          // Lets other requests run between chunks of a long batch.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      return reply.send(Readable.from(lines()));
    },
  );
};
