/** Monthly invoices as JSON, and as PDF (`/v1/invoices/2026-11.pdf` or `?format=pdf`). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { renderInvoicePdf } from '../../platform/invoice-pdf.js';
import type { Platform } from '../../platform/platform.js';
import { principalOf } from '../plugins/auth.js';

const Line = Type.Object({
  description: Type.String(),
  metric: Type.Union([Type.String(), Type.Null()]),
  quantity: Type.Number(),
  unit_price_cents: Type.Integer(),
  unit: Type.String(),
  amount_cents: Type.Integer(),
});
const Invoice = Type.Object({
  tenant_id: Type.String(),
  period: Type.String(),
  plan: Type.String(),
  currency: Type.Literal('USD'),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  lines: Type.Array(Line),
  total_cents: Type.Integer(),
  issued_at: Type.String(),
});

export const invoiceRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.get(
    '/invoices',
    {
      schema: {
        tags: ['billing'],
        querystring: Type.Object(
          { months: Type.Integer({ minimum: 1, maximum: 24, default: 3 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ invoices: Type.Array(Invoice) }) },
      },
    },
    async (request) => ({
      invoices: await platform.billing.list(principalOf(request), request.query.months),
    }),
  );
  app.get(
    '/invoices/:period',
    {
      schema: {
        tags: ['billing'],
        params: Type.Object({ period: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])(\\.pdf)?$' }) }),
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pdf')])) },
          { additionalProperties: false },
        ),
        response: { 200: Invoice },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const pdf = request.params.period.endsWith('.pdf') || request.query.format === 'pdf';
      const period = request.params.period.replace(/\.pdf$/, '');
      const invoice = await platform.billing.invoice(p, period);
      if (!pdf) return invoice;
      const tenant = await platform.tenants.current(p);
      const bytes = await renderInvoicePdf(invoice, tenant.branding.name ?? tenant.name);
      return (
        reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="invoice-${period}.pdf"`)
          // A Buffer is sent as is; the JSON response schema does not apply to it.
          .send(bytes as never)
      );
    },
  );
};
