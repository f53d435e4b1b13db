/** Login, refresh and logout. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';

const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
});

export const authRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        security: [],
        body: Type.Object(
          {
            email: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenPair },
      },
    },
    async (request) => platform.auth.login(request.body.email, request.body.password, contextOf(request)),
  );
  app.post(
    '/auth/refresh',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        security: [],
        body: Type.Object(
          { refresh_token: Type.String({ minLength: 1, maxLength: 400 }) },
          { additionalProperties: false },
        ),
        response: { 200: TokenPair },
      },
    },
    async (request) => platform.auth.refresh(request.body.refresh_token, contextOf(request)),
  );
  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      await platform.auth.logout(principalOf(request), contextOf(request));
      return reply.status(204).send(null);
    },
  );
};
