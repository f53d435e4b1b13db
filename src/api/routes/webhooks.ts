/**
 * Webhooks of the caller's tenant: alerts are POSTed to them, signed with HMAC-SHA256
 * (`x-salescast-signature: sha256=<hex>` over `<x-salescast-timestamp>.<body>`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../../realtime/anomaly.js';
import type { Realtime } from '../../realtime/realtime.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  min_severity: stringEnum(SEVERITIES),
  created_at: Type.String(),
  last_status: Type.Union([Type.String(), Type.Null()]),
  last_delivery_at: Type.Union([Type.String(), Type.Null()]),
});

export const webhookRoutes: FastifyPluginAsyncTypebox<{ realtime: Realtime }> = async (app, { realtime }) => {
  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['alerts'],
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            min_severity: Type.Optional(stringEnum(SEVERITIES)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Composite([
            Webhook,
            Type.Object({ secret: Type.String({ description: 'HMAC key; shown once' }) }),
          ]),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await realtime.alerts.createWebhook(
            principalOf(request),
            { url: request.body.url, minSeverity: request.body.min_severity },
            contextOf(request),
          ),
        ),
  );
  app.get(
    '/webhooks',
    { schema: { tags: ['alerts'], response: { 200: Type.Object({ webhooks: Type.Array(Webhook) }) } } },
    async (request) => ({ webhooks: await realtime.alerts.listWebhooks(principalOf(request)) }),
  );
  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['alerts'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await realtime.alerts.deleteWebhook(principalOf(request), request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
};
