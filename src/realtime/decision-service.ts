/**
 * Decisions from the tenant's production model, as the `/v1/decisions/*` routes answer them:
 * loads the production forecaster, the panel of the dataset it was trained on (stock on hand,
 * prices, costs, stores, sales history) and runs `decisionReport`, the same call
 * `salescast recommend` makes on files. Facts the request gives (stock, inbound orders, prices,
 * costs) override the panel's. Adds the permission check, metering (each forecast row counts as a
 * prediction row, as on the forecast route) and the branded executive-summary PDF.
 */
import { join } from 'node:path';
import { SalescastError } from '../core/errors.js';
import { type PanelColumns, panelColumnsOf } from '../decide/adapters.js';
import type { DecisionKind, DecisionReport, DecisionReportInput } from '../decide/adapters-report.js';
import type { ProductionModel, ProductionModels } from '../mlops/production-models.js';
import { type Principal, requirePermission } from '../platform/principal.js';
import type { TenantService } from '../platform/tenant-service.js';
import type { UsageService } from '../platform/usage-service.js';
import { datasetDir } from '../store/files.js';

/** What a request may set: everything `decisionReport` takes except the model and the panel. */
export type DecisionRequest = Omit<
  DecisionReportInput,
  'forecaster' | 'history' | 'future' | 'table' | 'what'
> & {
  /** Registered model name; default 'default'. */
  readonly model?: string;
};

export interface DecisionAnswer extends DecisionReport {
  /** The production model version the decisions come from. */
  readonly production: { readonly name: string; readonly version: number; readonly datasetId: string | null };
  /** Where each series' stock, prices and costs came from when not in the request. */
  readonly panelSource: 'dataset' | 'training-history';
}

export interface DecisionService {
  decide(p: Principal, what: readonly DecisionKind[], request: DecisionRequest): Promise<DecisionAnswer>;
  /** The executive summary as a PDF with the tenant's branding. */
  summaryPdf(p: Principal, request: DecisionRequest): Promise<Buffer>;
}

export interface DecisionDeps {
  productionModels: ProductionModels;
  tenants: TenantService;
  usage: UsageService;
  dataDir: string;
  now?: () => Date;
}

const DEFAULT_PRIMARY = '#1f6feb';
/** Panels kept in memory, per tenant model version (a parquet read costs more than a decision). */
const PANEL_CACHE_SIZE = 8;

export function createDecisionService(deps: DecisionDeps): DecisionService {
  const now = deps.now ?? (() => new Date());
  const panels = new Map<string, Promise<PanelColumns>>();
  deps.productionModels.onChange((c) => {
    for (const key of panels.keys()) if (key.startsWith(`${c.tenantId}/${c.name}/`)) panels.delete(key);
  });

  /** The dataset's panel when the version records one, else the forecaster's training history. */
  function panelOf(m: ProductionModel): Promise<PanelColumns> {
    if (m.datasetId === null) return Promise.resolve(panelColumnsOf(m.forecaster.history));
    const key = `${m.tenantId}/${m.name}/${m.version}`;
    let table = panels.get(key);
    if (!table) {
      const file = join(datasetDir(deps.dataDir, m.tenantId, m.datasetId), 'panel.parquet');
      table = import('../data/duckdb.js').then(({ readTable }) => readTable(file));
      table.catch(() => panels.delete(key));
      panels.set(key, table);
      if (panels.size > PANEL_CACHE_SIZE) panels.delete(panels.keys().next().value as string);
    }
    return table;
  }

  async function decide(p: Principal, what: readonly DecisionKind[], request: DecisionRequest) {
    requirePermission(p, 'forecasts:view');
    const m = await deps.productionModels.get(p.tenantId, request.model);
    const table = await panelOf(m);
    const { decisionReport } = await import('../decide/adapters-report.js');
    const { model: _name, ...input } = request;
    const report = decisionReport({
      ...input,
      forecaster: m.forecaster,
      history: m.forecaster.history,
      table,
      what,
    });
    await deps.usage.add(
      p.tenantId,
      'prediction_rows',
      m.forecaster.history.seriesIds.length * report.horizon,
    );
    const answer: DecisionAnswer = {
      ...report,
      production: { name: m.name, version: m.version, datasetId: m.datasetId },
      panelSource: m.datasetId === null ? 'training-history' : 'dataset',
    };
    return answer;
  }

  return {
    decide,
    async summaryPdf(p, request) {
      const answer = await decide(p, ['summary'], request);
      if (!answer.summary) throw new SalescastError('INTERNAL', 'the summary was not computed.');
      const tenant = await deps.tenants.current(p);
      const { renderExecutiveSummaryPdf } = await import('../reports/executive-summary-pdf.js');
      return renderExecutiveSummaryPdf({
        branding: {
          name: tenant.branding.name ?? tenant.name,
          primaryColor: tenant.branding.colors?.primary ?? DEFAULT_PRIMARY,
          ...(tenant.branding.logo_url ? { logoUrl: tenant.branding.logo_url } : {}),
        },
        generatedAt: now().toISOString(),
        subtitle: `Model ${answer.production.name} v${answer.production.version} · forecast from ${answer.origin} · ${answer.horizon} ${answer.frequency === 'week' ? 'weeks' : 'days'}`,
        summary: answer.summary,
        inventory: answer.inventory ?? [],
        stockouts: answer.stockout ?? [],
        pricing: answer.pricing ?? [],
      });
    },
  };
}
