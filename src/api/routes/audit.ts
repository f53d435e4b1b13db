/** The audit trail: filtered listing, chain verification and the compliance report. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform/platform.js';
import { principalOf } from '../plugins/auth.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  request_id: Type.String(),
  outcome: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  prev_hash: Type.String(),
  hash: Type.String(),
});
const Verify = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  first_bad: Type.Optional(
    Type.Object({ seq: Type.Integer(), id: Type.Union([Type.String(), Type.Null()]), reason: Type.String() }),
  ),
});
const IsoTime = Type.String({ format: 'date-time' });

export const auditRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          {
            action: Type.Optional(Type.String({ maxLength: 100 })),
            actor: Type.Optional(Type.String({ maxLength: 200 })),
            from: Type.Optional(IsoTime),
            to: Type.Optional(IsoTime),
            before_seq: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(Entry) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const norm = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
      return {
        entries: await platform.audit.list(principalOf(request), {
          action: q.action,
          actor: q.actor,
          from: norm(q.from),
          to: norm(q.to),
          beforeSeq: q.before_seq,
          limit: q.limit,
        }),
      };
    },
  );
  app.get('/audit/verify', { schema: { tags: ['audit'], response: { 200: Verify } } }, async (request) =>
    platform.audit.verify(principalOf(request)),
  );
  app.get(
    '/audit/report',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          { days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            days: Type.Integer(),
            total: Type.Integer(),
            by_action: Type.Record(Type.String(), Type.Integer()),
            by_outcome: Type.Record(Type.String(), Type.Integer()),
            failed_logins: Type.Integer(),
            denied_actions: Type.Integer(),
            actors: Type.Integer(),
            chain: Verify,
          }),
        },
      },
    },
    async (request) => platform.audit.report(principalOf(request), request.query.days),
  );
};
