/**
 * `POST /v1/stream`: actuals and events as NDJSON (`application/x-ndjson`), one record per line.
 * They update the online state of the tenant's production model and are judged for anomalies.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Realtime } from '../../realtime/realtime.js';
import { MAX_STREAM_RECORDS } from '../../realtime/stream-service.js';
import { principalOf } from '../plugins/auth.js';

/** Bytes per stream request: room for MAX_STREAM_RECORDS records with a few drivers each. */
export const STREAM_BODY_LIMIT = 16 * 1024 * 1024;

const Alert = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  series_id: Type.String(),
  date: Type.String(),
  score: Type.Number(),
  message: Type.String(),
});

export const streamRoutes: FastifyPluginAsyncTypebox<{ realtime: Realtime }> = async (app, { realtime }) => {
  // NDJSON is read as text and parsed line by line by the service, which names a bad line.
  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit: STREAM_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/stream',
    {
      bodyLimit: STREAM_BODY_LIMIT,
      schema: {
        tags: ['stream'],
        description: `NDJSON body (application/x-ndjson), at most ${MAX_STREAM_RECORDS} lines: {"series_id","date":"YYYY-MM-DD","y"} for an actual, {"type":"event","series_id","date","drivers":{…}} for known drivers. Optional "drivers" on actuals. A bad line is refused with its line number and nothing is applied.`,
        querystring: Type.Object(
          { model: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
        body: Type.String({ description: 'NDJSON records' }),
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            appended: Type.Integer(),
            corrected: Type.Integer(),
            future: Type.Integer(),
            stale: Type.Integer(),
            alerts: Type.Array(Alert),
          }),
        },
      },
    },
    async (request) => realtime.stream.ingestNdjson(principalOf(request), request.body, request.query.model),
  );
};
