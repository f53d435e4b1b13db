/** API keys of the caller's tenant. The key itself appears only in the creation response. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ROLES } from '../../platform/permissions.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const RoleSchema = stringEnum(ROLES);
const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String(),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Composite([ApiKey, Type.Object({ key: Type.String({ description: 'Shown once' }) })]),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await platform.apiKeys.create(principalOf(request), request.body, contextOf(request))),
  );
  app.get(
    '/api-keys',
    { schema: { tags: ['api-keys'], response: { 200: Type.Object({ api_keys: Type.Array(ApiKey) }) } } },
    async (request) => ({ api_keys: await platform.apiKeys.list(principalOf(request)) }),
  );
  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags: ['api-keys'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await platform.apiKeys.revoke(principalOf(request), request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
};
