/**
 * The executive summary of the decisions as a branded PDF: a first page with the headline numbers,
 * the ranked actions and their money at stake as bars, then the reorders due, the revenue at risk
 * and the pricing opportunities as tables. Layout, branding and charts are pdf-report.ts's; this
 * module only decides what goes on the pages.
 */
import type {
  ExecutiveSummary,
  InventoryDecision,
  PricingDecision,
  StockoutDecision,
} from '../decide/adapters-decisions.js';
import type { BarDatum } from './charts.js';
import { type Branding, type RenderOptions, type ReportSection, renderReport } from './pdf-report.js';

export interface ExecutiveSummaryReport {
  readonly branding: Branding;
  /** ISO 8601 timestamp printed in the footer. */
  readonly generatedAt: string;
  /** e.g. "Model default v3 · forecast from 2024-02-06 · 14 days". */
  readonly subtitle: string;
  readonly summary: ExecutiveSummary;
  readonly inventory: readonly InventoryDecision[];
  readonly stockouts: readonly StockoutDecision[];
  readonly pricing: readonly PricingDecision[];
  /** Rows per table (largest first); default 25. */
  readonly maxRows?: number;
}

const money = (x: number) => x.toFixed(2);

function actionsSection(r: ExecutiveSummaryReport): ReportSection {
  const bars: BarDatum[] = r.summary.actions.map((a) => ({
    label: `${a.rank}. ${a.kind} ${a.storeId ? `${a.storeId}/` : ''}${a.productId}`,
    value: a.moneyAtStake,
  }));
  return {
    title: 'Top actions',
    summary: r.summary.headlines,
    drivers: bars,
    driversTitle: 'Money at stake per action',
    recommendations:
      r.summary.actions.length > 0 ? r.summary.actions.map((a) => a.sentence) : ['No action is needed.'],
  };
}

function reorderSection(r: ExecutiveSummaryReport, maxRows: number): ReportSection {
  const due = r.inventory
    .filter((d) => d.plan.reorderDue)
    .sort((a, b) => b.plan.orderQuantity * b.unitCost - a.plan.orderQuantity * a.unitCost)
    .slice(0, maxRows);
  return {
    title: 'Reorders due',
    summary: [
      `${r.summary.totals.reordersDue} of ${r.inventory.length} series are at or below their reorder point; ${r.summary.totals.criticalReorders} critical.`,
      'Order quantities bring the inventory position up to the order-up-to level (newsvendor fractile of price, cost and holding cost), or the EOQ when larger.',
    ],
    table: {
      columns: ['series', 'urgency', 'on hand', 'reorder pt', 'up-to', 'order', 'cover'],
      rows: due.map((d) => [
        `${d.storeId}/${d.productId}`,
        d.plan.urgency,
        String(d.onHand),
        String(d.plan.reorderPoint),
        String(d.plan.orderUpTo),
        String(d.plan.orderQuantity),
        d.plan.periodsUntilStockout === null ? 'horizon' : d.plan.periodsUntilStockout.toFixed(1),
      ]),
    },
  };
}

function riskSection(r: ExecutiveSummaryReport, maxRows: number): ReportSection {
  const risky = r.stockouts
    .filter((s) => s.loss.expectedLostRevenue > 0)
    .sort((a, b) => b.loss.expectedLostRevenue - a.loss.expectedLostRevenue)
    .slice(0, maxRows);
  return {
    title: 'Revenue at risk',
    summary: [
      `Expected revenue lost to stockouts without new orders: ${money(r.summary.totals.revenueAtRisk)} in total.`,
    ],
    table: {
      columns: ['series', 'demand', 'available', 'lost units', 'lost revenue', 'P(stockout)'],
      rows: risky.map((s) => [
        `${s.storeId}/${s.productId}`,
        s.loss.expectedDemand.toFixed(1),
        String(s.loss.availableUnits),
        s.loss.expectedLostUnits.toFixed(1),
        money(s.loss.expectedLostRevenue),
        `${(100 * s.loss.stockoutProbability).toFixed(0)}%`,
      ]),
    },
  };
}

function pricingSection(r: ExecutiveSummaryReport, maxRows: number): ReportSection {
  const rows = r.pricing.slice(0, maxRows);
  return {
    title: 'Pricing',
    summary: [
      `${r.summary.totals.pricingOpportunities} product(s) gain profit from a discount (${money(r.summary.totals.pricingProfitGain)} in total).`,
      'Demand response per product: "elasticity" is the log-log regression on the sales history, "what-if" the forecasting model re-run at each discount.',
    ],
    table: {
      columns: ['product', 'method', 'elasticity', 'best discount', 'range', 'profit change'],
      rows: rows.map((p) => [
        p.productId,
        p.method,
        p.elasticity?.elasticity == null ? '-' : p.elasticity.elasticity.toFixed(2),
        p.result ? `${p.result.optimum.discountPct}%` : '-',
        p.result ? `${p.result.optimumRangePct[0]}-${p.result.optimumRangePct[1]}%` : '-',
        p.result ? money(p.result.deltaProfit) : '-',
      ]),
    },
  };
}

/** Renders the executive summary PDF (A4; one page per section). */
export function renderExecutiveSummaryPdf(
  report: ExecutiveSummaryReport,
  options: RenderOptions = {},
): Promise<Buffer> {
  const maxRows = report.maxRows ?? 25;
  return renderReport(
    {
      title: 'Executive summary: decisions',
      subtitle: report.subtitle,
      generatedAt: report.generatedAt,
      branding: report.branding,
      sections: [
        actionsSection(report),
        reorderSection(report, maxRows),
        riskSection(report, maxRows),
        pricingSection(report, maxRows),
      ],
    },
    options,
  );
}
