/**
 * `salescast recommend`: the decisions a saved model's forecast supports, on files: reorders
 * (safety stock, reorder point, order-up-to, order quantity, days of cover, urgency), stockout
 * risk and revenue at risk, the discount optimiser, store expansion and the executive summary,
 * as text tables, JSON, and the executive summary as a PDF.
 */
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { parseIsoDay } from '../../core/dates.js';
import type { DecisionKind, DecisionReport } from '../../decide/adapters-report.js';
import { isDirectory, readForecastData, readModelFile } from '../../store/forecast-data.js';
import {
  checkOutputPath,
  choiceOption,
  dateOption,
  intOption,
  numberOption,
  withCommonOptions,
} from '../options.js';
import { emit } from '../output.js';
import { historyThrough, textTable } from './explain.js';

const WHAT = ['inventory', 'stockout', 'pricing', 'expansion', 'summary', 'all'] as const;
const RESPONSES = ['auto', 'elasticity', 'what-if'] as const;

interface RecommendOptions {
  modelFile: string;
  data: string;
  future?: string;
  cutoff?: string;
  horizon?: number;
  leadTime: number;
  reviewPeriod: number;
  serviceLevel: number;
  holdingRate: number;
  orderCost?: number;
  riskHorizon?: number;
  store?: string[];
  product?: string[];
  what: (typeof WHAT)[number];
  response: (typeof RESPONSES)[number];
  objective: 'profit' | 'revenue';
  top: number;
  pdf?: string;
  brand: string;
  brandColor: string;
  seed: number;
  json?: boolean;
}

const HELP_AFTER = `
Forecasts every series of --data with a model saved by \`salescast train\` and turns its quantile
forecasts into decisions (docs/DECISIONS.md). Stock on hand, prices and unit costs are the ingested
panel's last period (its inventory, prices and products sources); --cutoff forecasts from an earlier
date, with the panel's later rows as the known future drivers. Pricing uses the log-log elasticity
estimated from the panel when its price variation is enough, else the model's what-if curve (which
needs future drivers with discount_pct: --future or --cutoff); the output says which.

Examples:
  salescast recommend --model-file model.scf --data ./panel --lead-time 3 --what inventory
  salescast recommend --model-file model.scf --data ./panel --cutoff 2024-12-01 --product P008 --json
  salescast recommend --model-file model.scf --data ./panel --what summary --pdf summary.pdf --brand "Acme"
`;

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

function probabilityOption(value: string): number {
  const n = numberOption(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`must be in (0, 1); got '${value}'.`);
  return n;
}

function nonNegativeOption(value: string): number {
  const n = numberOption(value);
  if (n < 0) throw new InvalidArgumentError(`must be ≥ 0; got '${value}'.`);
  return n;
}

export function registerRecommend(program: Command): void {
  withCommonOptions(
    program
      .command('recommend')
      .description(
        'Reorders, stockout risk, discounts, store expansion and an executive summary from a forecast.',
      )
      .requiredOption('--model-file <file>', 'model saved by `salescast train`')
      .requiredOption(
        '--data <file>',
        'ingested panel directory (or long CSV/Parquet with the panel columns)',
      )
      .option(
        '--future <file>',
        'known drivers of the forecast periods (the columns of --data without units)',
      )
      .option(
        '--cutoff <date>',
        'forecast from the data through this date; later rows are the known future drivers',
        dateOption,
      )
      .option(
        '--horizon <periods>',
        "periods to forecast (default: the model's horizon)",
        intOption(1, 10_000),
      )
      .option('--lead-time <periods>', 'periods from order to arrival', intOption(0, 365), 7)
      .option(
        '--review-period <periods>',
        'periods between order opportunities (0 = continuous)',
        intOption(0, 365),
        1,
      )
      .option('--service-level <p>', 'target cycle service level in (0, 1)', probabilityOption, 0.95)
      .option('--holding-rate <r>', 'yearly holding cost as a fraction of unit cost', nonNegativeOption, 0.25)
      .option('--order-cost <c>', 'fixed cost per order (turns on the EOQ)', nonNegativeOption)
      .option(
        '--risk-horizon <periods>',
        'periods the stockout risk is assessed over (default: the forecast horizon)',
        intOption(1, 10_000),
      )
      .option('--store <ids>', 'only these stores (comma-separated, repeatable)', collect)
      .option('--product <ids>', 'only these products (comma-separated, repeatable)', collect)
      .option('--what <kind>', `decisions to show: ${WHAT.join('|')}`, choiceOption(WHAT), 'all')
      .option(
        '--response <r>',
        `pricing demand response: ${RESPONSES.join('|')}`,
        choiceOption(RESPONSES),
        'auto',
      )
      .option(
        '--objective <o>',
        'pricing objective: profit|revenue',
        choiceOption(['profit', 'revenue'] as const),
        'profit',
      )
      .option('--top <n>', 'actions in the executive summary', intOption(1, 1000), 10)
      .option('--pdf <file>', 'also write the executive summary as a PDF')
      .option('--brand <name>', 'brand name on the PDF', 'salescast')
      .option('--brand-color <hex>', 'brand colour of the PDF, #rrggbb', '#1f6feb')
      .option('--seed <n>', 'seed of the Monte Carlo sums', intOption(0, 2 ** 32 - 1), 1),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: RecommendOptions) => {
      const started = Date.now();
      checkOutputPath('--pdf', opts.pdf, {
        '--data': opts.data,
        '--future': opts.future,
        '--model-file': opts.modelFile,
      });
      const { readTable } = await import('../../data/duckdb.js');
      const { panelColumnsOf, panelColumnsThrough } = await import('../../decide/adapters.js');
      const { decisionReport } = await import('../../decide/adapters-report.js');

      const forecaster = await readModelFile(opts.modelFile);
      const data = await readForecastData(opts.data, { trainedOn: forecaster.history });
      const raw = await readTable(isDirectory(opts.data) ? join(opts.data, 'panel.parquet') : opts.data);
      // A long file (series_id,…) has no store_id column: its fitted panel is the table then.
      let table = raw.columns.includes('store_id') ? raw : panelColumnsOf(data);
      let history = data;
      let future = opts.future
        ? await readForecastData(opts.future, { future: true, like: data })
        : undefined;
      if (opts.cutoff) {
        history = await historyThrough(data, opts.cutoff);
        table = panelColumnsThrough(table, parseIsoDay(opts.cutoff) as number);
        future ??= data;
      }
      const what: DecisionKind[] =
        opts.what === 'all' ? ['inventory', 'stockout', 'pricing', 'expansion', 'summary'] : [opts.what];
      if (opts.pdf && !what.includes('summary')) what.push('summary');
      const report = decisionReport({
        forecaster,
        history,
        future,
        table,
        what,
        horizon: opts.horizon,
        settings: {
          leadTime: opts.leadTime,
          reviewPeriod: opts.reviewPeriod,
          serviceLevel: opts.serviceLevel,
          holdingRate: opts.holdingRate,
          orderCost: opts.orderCost,
          riskHorizon: opts.riskHorizon,
          seed: opts.seed,
        },
        stores: opts.store,
        products: opts.product,
        pricing: { response: opts.response, objective: opts.objective },
        topN: opts.top,
      });
      let pdfBytes: number | undefined;
      if (opts.pdf && report.summary) {
        const { renderExecutiveSummaryPdf } = await import('../../reports/executive-summary-pdf.js');
        const { writeFileAtomic } = await import('../../data/atomic-write.js');
        const bytes = await renderExecutiveSummaryPdf({
          branding: { name: opts.brand, primaryColor: opts.brandColor },
          generatedAt: new Date().toISOString(),
          subtitle: `Model ${report.model} · forecast from ${report.origin} · ${report.horizon} ${report.frequency === 'week' ? 'weeks' : 'days'}`,
          summary: report.summary,
          inventory: report.inventory ?? [],
          stockouts: report.stockout ?? [],
          pricing: report.pricing ?? [],
        });
        await writeFileAtomic(opts.pdf, bytes);
        pdfBytes = bytes.length;
      }
      emit(
        opts,
        {
          ...report,
          ...(opts.pdf ? { pdf: opts.pdf, pdf_bytes: pdfBytes } : {}),
          seconds: (Date.now() - started) / 1000,
        },
        () => reportText(report, opts.what === 'all' ? undefined : opts.what, opts.pdf),
      );
    });
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);
const money = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The report as text tables, one block per decision shown. */
export function reportText(r: DecisionReport, only: DecisionKind | undefined, pdf?: string): string {
  const s = r.settings;
  const unit = r.frequency === 'week' ? 'weeks' : 'days';
  const show = (k: DecisionKind) => only === undefined || only === k;
  const blocks = [
    `Decisions for ${r.series} series: model ${r.model}, forecast from ${r.origin} for ${r.horizon} ${unit}; lead time ${s.leadTime}, review every ${s.reviewPeriod}, service level ${pct(s.serviceLevel)}, holding ${pct(s.holdingRate)} a year${s.orderCost !== undefined ? `, order cost ${s.orderCost}` : ''}.`,
  ];
  if (r.inventory && show('inventory')) {
    blocks.push(
      `Inventory (risk period ${s.leadTime + s.reviewPeriod} ${unit})`,
      textTable(
        [
          'series',
          'on hand',
          'mean',
          'safety',
          'reorder pt',
          'up-to',
          'fractile',
          'EOQ',
          'order',
          'cover',
          'urgency',
        ],
        r.inventory.map((d) => [
          `${d.storeId}/${d.productId}`,
          String(d.onHand + d.inboundUnits),
          fixed(d.plan.riskDemandMean),
          fixed(d.plan.safetyStock),
          String(d.plan.reorderPoint),
          String(d.plan.orderUpTo),
          d.plan.criticalFractile === null ? '-' : d.plan.criticalFractile.toFixed(3),
          d.plan.economicOrderQuantity === null ? '-' : fixed(d.plan.economicOrderQuantity),
          String(d.plan.orderQuantity),
          d.plan.periodsUntilStockout === null ? `>${r.horizon}` : fixed(d.plan.periodsUntilStockout),
          d.plan.urgency,
        ]),
      ),
    );
  }
  if (r.stockout && show('stockout')) {
    blocks.push(
      `Stockout risk over ${s.riskHorizon ?? r.horizon} ${unit} without new orders`,
      textTable(
        ['series', 'demand', 'available', 'lost units', 'lost revenue', 'lost margin', 'P(stockout)'],
        r.stockout.map((d) => [
          `${d.storeId}/${d.productId}`,
          fixed(d.loss.expectedDemand),
          fixed(d.loss.availableUnits, 0),
          fixed(d.loss.expectedLostUnits, 2),
          money(d.loss.expectedLostRevenue),
          money(d.loss.expectedLostMargin),
          pct(d.loss.stockoutProbability),
        ]),
      ),
    );
  }
  if (r.pricing && show('pricing')) {
    blocks.push(
      `Pricing over ${r.horizon} ${unit} (units summed over the selected stores)`,
      textTable(
        [
          'product',
          'method',
          'elasticity ± se',
          'shelf',
          'cost',
          'base units',
          'best',
          'range',
          'Δ units',
          'Δ revenue',
          'Δ profit (95%)',
        ],
        r.pricing.map((p) => {
          const e = p.elasticity;
          const o = p.result;
          return [
            p.productId,
            p.method,
            e?.elasticity == null ? '-' : `${e.elasticity.toFixed(2)} ± ${(e.standardError ?? 0).toFixed(2)}`,
            money(p.shelfPrice),
            money(p.unitCost),
            fixed(p.baseUnits),
            o ? `${o.optimum.discountPct}%` : '-',
            o ? `${o.optimumRangePct[0]}-${o.optimumRangePct[1]}%` : '-',
            o ? fixed(o.deltaUnits) : '-',
            o ? money(o.deltaRevenue) : '-',
            o ? `${money(o.deltaProfit)} (${money(o.deltaProfitLow)} to ${money(o.deltaProfitHigh)})` : '-',
          ];
        }),
      ),
    );
    const skipped = r.pricing.filter((p) => p.reason !== null);
    for (const p of skipped) blocks.push(`  ${p.productId}: not priced, ${p.reason}.`);
  }
  if (r.expansion && show('expansion')) {
    const a = r.expansion.assumptions;
    blocks.push(
      `Store expansion (assumptions: +${pct(a.addedSpaceFraction)} space, capture ${pct(a.captureRate)}, margin ${pct(a.grossMarginRate)}, fit-out ${a.fitOutCostPerSqm}/m², running ${a.operatingCostPerSqmYear}/m²/yr, ${a.horizonYears} years at ${pct(a.discountRate)})`,
      textTable(
        [
          'rank',
          'store',
          'region',
          'type',
          'm²',
          'revenue/yr',
          'per m²',
          'growth',
          'saturation',
          'invest',
          'NPV',
          'ROI',
        ],
        r.expansion.stores.map((x) => [
          String(x.rank),
          x.storeId,
          x.region,
          x.type,
          fixed(x.sizeSqm, 0),
          fixed(x.annualRevenue, 0),
          fixed(x.salesPerSqm),
          pct(x.growth),
          x.saturation.toFixed(2),
          fixed(x.investment, 0),
          fixed(x.netPresentValue, 0),
          x.roi.toFixed(2),
        ]),
      ),
    );
  }
  if (r.summary && show('summary')) {
    blocks.push(
      'Executive summary',
      ...r.summary.headlines.map((h) => `  ${h}`),
      ...(r.summary.actions.length === 0
        ? ['  No action is needed.']
        : r.summary.actions.map((a) => `  ${a.rank}. ${a.sentence}`)),
    );
  }
  if (pdf) blocks.push(`Wrote the executive summary PDF to ${pdf}.`);
  return blocks.join('\n');
}
