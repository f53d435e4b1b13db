/**
 * `POST /v1/reports`: the executive PDF of the tenant, a store or a product, from the tenant's
 * production model, in the tenant's white-label branding.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform/platform.js';
import { createExplainService } from '../../realtime/explain-service.js';
import { principalOf } from '../plugins/auth.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });

const ReportBody = Type.Object(
  {
    model: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "Registered model name; default 'default'." }),
    ),
    component: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    future: Type.Optional(
      Type.Array(
        // Values are checked by the service: with type coercion on, a union would turn null into ''.
        Type.Record(Type.String(), Type.Unknown()),
        { maxItems: 100_000 },
      ),
    ),
    store: Type.Optional(Id),
    product: Type.Optional(Id),
  },
  { additionalProperties: false, description: 'One of store or product, or neither for the whole tenant.' },
);

export const reportRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const service = createExplainService({
    productionModels: platform.productionModels,
    tenants: platform.tenants,
    usage: platform.usage,
  });
  app.post(
    '/reports',
    {
      schema: {
        tags: ['explain'],
        body: ReportBody,
        response: {
          200: {
            description: 'The report, application/pdf',
            content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      const { store, product, ...rest } = request.body;
      const { pdf, production, model } = await service.report(principalOf(request), {
        ...rest,
        selection: { store, product },
      });
      const name = store ? `store-${store}` : product ? `product-${product}` : 'tenant';
      return (
        reply
          .type('application/pdf')
          // Lineage: which production version the report was drawn from.
          .header('x-salescast-model', `${production.name}@${production.version}`)
          // Whose forecast the report shows: the ensemble, or the member named by `component`.
          .header('x-salescast-explained', model)
          .header(
            'content-disposition',
            `inline; filename="report-${name.replace(/[^A-Za-z0-9_-]/g, '_')}.pdf"`,
          )
          // A Buffer is sent as is; no JSON serialization applies to it.
          .send(pdf as never)
      );
    },
  );
};
