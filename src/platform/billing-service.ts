/**
 * Monthly invoices: the plan price plus one overage line per monthly metric used beyond what the
 * plan includes. Amounts are integer cents, so totals add up exactly.
 */
import { SalescastError } from '../core/errors.js';
import { MONTHLY_METRICS, PLANS, periodOf } from './plans.js';
import { type Principal, requirePermission } from './principal.js';
import type { UsageService } from './usage-service.js';

export interface InvoiceLine {
  description: string;
  metric: string | null;
  quantity: number;
  /** Cents per `unit`. */
  unit_price_cents: number;
  unit: string;
  amount_cents: number;
}

export interface Invoice {
  tenant_id: string;
  period: string;
  plan: string;
  currency: 'USD';
  status: 'open' | 'closed';
  lines: InvoiceLine[];
  total_cents: number;
  issued_at: string;
}

export interface BillingService {
  invoice(p: Principal, period: string): Promise<Invoice>;
  /** Invoices of the last `months` months, newest first. */
  list(p: Principal, months: number): Promise<Invoice[]>;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function createBillingService(deps: { usage: UsageService; now?: () => Date }): BillingService {
  const now = deps.now ?? (() => new Date());

  const build = async (tenantId: string, period: string): Promise<Invoice> => {
    const usage = await deps.usage.read(tenantId, period);
    const plan = PLANS[usage.plan];
    const lines: InvoiceLine[] = [
      {
        description: `${usage.plan} plan, ${period}`,
        metric: null,
        quantity: 1,
        unit_price_cents: plan.priceCents,
        unit: 'month',
        amount_cents: plan.priceCents,
      },
    ];
    for (const m of MONTHLY_METRICS) {
      const over = usage.metrics[m].used - (plan.included[m] ?? 0);
      const price = plan.overage[m];
      if (over <= 0 || !price) continue;
      const blocks = Math.ceil(over / price.per);
      lines.push({
        description: `${m} beyond the ${plan.included[m]} included (${over})`,
        metric: m,
        quantity: blocks,
        unit_price_cents: price.cents,
        unit: price.per === 1 ? m : `${price.per} ${m}`,
        amount_cents: blocks * price.cents,
      });
    }
    return {
      tenant_id: tenantId,
      period,
      plan: usage.plan,
      currency: 'USD',
      status: period < periodOf(now()) ? 'closed' : 'open',
      lines,
      total_cents: lines.reduce((s, l) => s + l.amount_cents, 0),
      issued_at: now().toISOString(),
    };
  };

  return {
    async invoice(p, period) {
      requirePermission(p, 'billing:view');
      if (!PERIOD.test(period)) {
        throw new SalescastError('INVALID_ARGUMENT', `period must be YYYY-MM; got '${period}'.`, {
          field: 'period',
        });
      }
      if (period > periodOf(now()))
        throw new SalescastError('NOT_FOUND', `No invoice for the future period ${period}.`);
      return build(p.tenantId, period);
    },
    async list(p, months) {
      requirePermission(p, 'billing:view');
      const out: Invoice[] = [];
      const t = now();
      for (let i = 0; i < months; i++) {
        const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - i, 1));
        out.push(await build(p.tenantId, periodOf(d)));
      }
      return out;
    },
  };
}
