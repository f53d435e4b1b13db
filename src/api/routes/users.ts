/** Users of the caller's tenant. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EMAIL_PATTERN } from '../../platform/email.js';
import { ROLES } from '../../platform/permissions.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const RoleSchema = stringEnum(ROLES);
const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  created_at: Type.String(),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const userRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        body: Type.Object(
          {
            email: Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 }),
            password: Type.String({ maxLength: 256 }),
            role: RoleSchema,
          },
          { additionalProperties: false },
        ),
        response: { 201: User },
      },
    },
    async (request, reply) => {
      const user = await platform.users.create(principalOf(request), request.body, contextOf(request));
      return reply.status(201).send(user);
    },
  );
  app.get(
    '/users',
    { schema: { tags: ['users'], response: { 200: Type.Object({ users: Type.Array(User) }) } } },
    async (request) => ({ users: await platform.users.list(principalOf(request)) }),
  );
  app.get(
    '/users/:id',
    { schema: { tags: ['users'], params: IdParams, response: { 200: User } } },
    async (request) => platform.users.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        params: IdParams,
        body: Type.Object(
          {
            role: Type.Optional(RoleSchema),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: User },
      },
    },
    async (request) =>
      platform.users.update(principalOf(request), request.params.id, request.body, contextOf(request)),
  );
};
