/** Tenants (super-admin), the caller's own tenant, its branding and quota overrides. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EMAIL_PATTERN } from '../../platform/email.js';
import { METRICS, PLAN_NAMES } from '../../platform/plans.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });
const Branding = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    logo_url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
    colors: Type.Optional(
      Type.Object(
        { primary: Type.Optional(Color), secondary: Type.Optional(Color), accent: Type.Optional(Color) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const Quotas = Type.Object(Object.fromEntries(METRICS.map((m) => [m, Type.Optional(Type.Number())])));
const Tenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  plan: stringEnum(PLAN_NAMES),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  quotas: Quotas,
  quota_overrides: Quotas,
  branding: Branding,
  created_at: Type.String(),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const tenantRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        description: 'Platform super-admin only.',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 120 }),
            plan: stringEnum(PLAN_NAMES),
            admin_email: Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 }),
            admin_password: Type.String({ maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ tenant_id: Type.String(), admin_user_id: Type.String() }) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await platform.tenants.create(
        { name: b.name, plan: b.plan, adminEmail: b.admin_email, adminPassword: b.admin_password },
        principalOf(request),
        contextOf(request),
      );
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/tenants',
    { schema: { tags: ['tenants'], response: { 200: Type.Object({ tenants: Type.Array(Tenant) }) } } },
    async (request) => ({ tenants: await platform.tenants.list(principalOf(request)) }),
  );
  app.get('/tenants/current', { schema: { tags: ['tenants'], response: { 200: Tenant } } }, async (request) =>
    platform.tenants.current(principalOf(request)),
  );
  app.get(
    '/tenants/current/branding',
    { schema: { tags: ['tenants'], response: { 200: Branding } } },
    async (request) => (await platform.tenants.current(principalOf(request))).branding,
  );
  app.put(
    '/tenants/current/branding',
    { schema: { tags: ['tenants'], body: Branding, response: { 200: Branding } } },
    async (request) => platform.tenants.setBranding(principalOf(request), request.body, contextOf(request)),
  );
  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['reinstate', 'active'],
  ] as const) {
    app.post(
      `/tenants/:id/${action}`,
      { schema: { tags: ['tenants'], params: IdParams, response: { 200: Tenant } } },
      async (request) =>
        platform.tenants.setStatus(principalOf(request), request.params.id, status, contextOf(request)),
    );
  }
  app.put(
    '/tenants/:id/quotas',
    {
      schema: {
        tags: ['tenants'],
        description: 'Override quota limits (null restores the plan default). Platform super-admin only.',
        params: IdParams,
        body: Type.Object(
          Object.fromEntries(
            // Null first: ajv's type coercion would otherwise turn null into 0 in the integer branch.
            METRICS.map((m) => [m, Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0 })]))]),
          ),
          { additionalProperties: false },
        ),
        response: { 200: Tenant },
      },
    },
    async (request) =>
      platform.tenants.setQuotas(
        principalOf(request),
        request.params.id,
        request.body as Record<string, number | null>,
        contextOf(request),
      ),
  );
};
