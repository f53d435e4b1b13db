/** Renders an invoice as a one-page PDF (pdfkit). */
import PDFDocument from 'pdfkit';
import type { Invoice } from './billing-service.js';

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** The PDF bytes of `invoice`, headed with the tenant's display name. */
export function renderInvoicePdf(invoice: Invoice, tenantName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A fixed creation date keeps the bytes a function of the invoice.
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { CreationDate: new Date(invoice.issued_at) },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(20).text(`Invoice ${invoice.period}`);
    doc.moveDown(0.5).fontSize(11);
    doc.text(`Tenant: ${tenantName} (${invoice.tenant_id})`);
    doc.text(`Plan: ${invoice.plan}    Status: ${invoice.status}    Currency: ${invoice.currency}`);
    doc.text(`Issued: ${invoice.issued_at}`);
    doc.moveDown();
    for (const l of invoice.lines) {
      doc.text(`${l.description}`, { continued: true });
      doc.text(`   ${l.quantity} × ${money(l.unit_price_cents)} / ${l.unit} = ${money(l.amount_cents)}`, {
        align: 'right',
      });
    }
    doc.moveDown();
    doc.fontSize(14).text(`Total: ${money(invoice.total_cents)}`, { align: 'right' });
    doc.end();
  });
}
