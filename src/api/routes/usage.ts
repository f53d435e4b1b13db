/** Usage counters and quotas of the caller's tenant. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { METRICS } from '../../platform/plans.js';
import type { Platform } from '../../platform/platform.js';
import { principalOf } from '../plugins/auth.js';

const MetricUsage = Type.Object({
  used: Type.Number(),
  limit: Type.Number(),
  included: Type.Union([Type.Number(), Type.Null()]),
});

export const usageRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.get(
    '/usage',
    {
      schema: {
        tags: ['billing'],
        querystring: Type.Object(
          { period: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            tenant_id: Type.String(),
            plan: Type.String(),
            period: Type.String(),
            metrics: Type.Object(Object.fromEntries(METRICS.map((m) => [m, MetricUsage]))),
          }),
        },
      },
    },
    async (request) => platform.usage.report(principalOf(request), request.query.period),
  );
};
