/**
 * Alerts of the caller's tenant: list and acknowledge them, follow them live over Server-Sent
 * Events (`GET /alerts/stream`), and read rolling statistics of recent predictions and errors.
 */

import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../../realtime/anomaly.js';
import type { Realtime } from '../../realtime/realtime.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';
import { SECURITY_HEADERS } from '../security-headers.js';

/** Seconds between SSE comments that keep idle proxies from closing the stream. */
const HEARTBEAT_MS = 15_000;

const Alert = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'actual_spike | actual_drop | forecast_spike | forecast_drop' }),
  severity: stringEnum(SEVERITIES),
  series_id: Type.String(),
  date: Type.String(),
  model: Type.String({ description: '<name>@<version> that judged it' }),
  value: Type.Number(),
  expected: Type.Number(),
  score: Type.Number({ description: 'Robust z-score' }),
  message: Type.String(),
  occurrences: Type.Integer(),
  status: Type.Union([Type.Literal('open'), Type.Literal('acknowledged')]),
  first_seen_at: Type.String(),
  last_seen_at: Type.String(),
  acknowledged_by: Type.Union([Type.String(), Type.Null()]),
  acknowledged_at: Type.Union([Type.String(), Type.Null()]),
});

const Stats = Type.Object({
  window_seconds: Type.Integer(),
  predictions: Type.Integer(),
  prediction_rows: Type.Integer(),
  actuals: Type.Integer(),
  mae: Type.Union([Type.Number(), Type.Null()]),
  bias: Type.Union([Type.Number(), Type.Null()]),
  wape: Type.Union([Type.Number(), Type.Null()]),
  anomalies: Type.Integer(),
});

export const alertRoutes: FastifyPluginAsyncTypebox<{ realtime: Realtime }> = async (app, { realtime }) => {
  const open = new Set<ServerResponse>();
  // Event streams never end on their own; closing the server ends them so it can stop.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('acknowledged')])),
            min_severity: Type.Optional(stringEnum(SEVERITIES)),
            series_id: Type.Optional(Type.String({ maxLength: 200 })),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ alerts: Type.Array(Alert) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const alerts = await realtime.alerts.list(principalOf(request), {
        status: q.status,
        minSeverity: q.min_severity,
        seriesId: q.series_id,
        since: q.since,
        limit: q.limit,
      });
      return { alerts };
    },
  );

  app.post(
    '/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Alert },
      },
    },
    async (request) =>
      realtime.alerts.acknowledge(principalOf(request), request.params.id, contextOf(request)),
  );

  app.get(
    '/alerts/stats',
    {
      schema: {
        tags: ['alerts'],
        description:
          'Rolling statistics of the tenant (of every API process with Redis): predictions served, one-step errors of streamed actuals, anomalies.',
        querystring: Type.Object(
          { window: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 300 })) },
          { additionalProperties: false },
        ),
        response: { 200: Stats },
      },
    },
    async (request) => realtime.forecasts.stats(principalOf(request), request.query.window ?? 300),
  );

  app.get(
    '/alerts/stream',
    {
      schema: {
        tags: ['alerts'],
        description:
          'Server-Sent Events: one `alert` event (JSON data) per new or escalated alert of the tenant, as it is raised.',
        produces: ['text/event-stream'],
      },
      config: { rateLimit: false },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const res = reply.raw;
      let unsubscribe: () => void = () => {};
      // Subscribing checks the permission before the stream is opened.
      unsubscribe = realtime.alerts.subscribe(p, (alert) => {
        res.write(`id: ${alert.id}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
      });
      reply.hijack();
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      res.write(': connected\n\n');
      open.add(res);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      res.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
      });
    },
  );
};
