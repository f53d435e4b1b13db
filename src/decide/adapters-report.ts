/**
 * One call from a fitted forecaster and a panel to every decision asked for: forecast the horizon,
 * turn the quantile forecasts into demand distributions, resolve each series' stock, prices and
 * costs, and run the inventory, stockout, pricing, expansion and summary adapters. The CLI
 * (`salescast recommend`) and the decision service behind `/v1/decisions/*` both call it, so they
 * answer the same numbers for the same inputs. Pure: the caller loads the model and reads files.
 */
import { formatDay } from '../core/dates.js';
import type { Panel } from '../features/panel.js';
import { ENSEMBLE, type Forecaster } from '../forecast/forecaster.js';
import {
  forecastDemand,
  type PanelColumns,
  panelSalesHistory,
  panelSeriesStates,
  panelStoreHistories,
} from './adapters.js';
import {
  DEFAULT_DECISION_SETTINGS,
  type DecisionSettings,
  type ExecutiveSummary,
  expansionDecision,
  type InventoryDecision,
  inventoryDecisions,
  type PricingDecision,
  type PricingOptions,
  type ProductOverride,
  pricingDecisions,
  resolveSeriesInputs,
  type SeriesOverride,
  type StockoutDecision,
  selectSeries,
  stockoutDecisions,
  summaryDecision,
} from './adapters-decisions.js';
import { supportsWhatIf, whatIfUnits } from './adapters-what-if.js';
import type { AnomalyRow } from './executive-summary.js';
import type { ExpansionAssumptions, ExpansionRanking } from './store-expansion.js';

export const DECISION_KINDS = ['inventory', 'stockout', 'pricing', 'expansion', 'summary'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface DecisionReportInput {
  readonly forecaster: Forecaster;
  /** History the forecast starts after (the forecaster's own when it was trained on it). */
  readonly history: Panel;
  /** Known future drivers of the horizon; needed for the what-if pricing response. */
  readonly future?: Panel;
  /** The panel's columns through the forecast origin (stock, prices, costs, stores, sales history). */
  readonly table: PanelColumns;
  /** Which decisions to compute; 'summary' implies inventory, stockout and pricing. */
  readonly what: readonly DecisionKind[];
  /** Periods to forecast; default the forecaster's fitted horizon. */
  readonly horizon?: number;
  readonly settings?: Partial<DecisionSettings>;
  readonly stores?: readonly string[];
  readonly products?: readonly string[];
  readonly series?: readonly SeriesOverride[];
  readonly productOverrides?: readonly ProductOverride[];
  readonly pricing?: PricingOptions;
  readonly expansion?: Partial<ExpansionAssumptions>;
  /** Known anomalies for the summary; null when there is no anomaly source. */
  readonly anomalies?: readonly AnomalyRow[] | null;
  readonly topN?: number;
}

export interface DecisionReport {
  /** The model whose forecast the decisions use (the ensemble when there is one). */
  readonly model: string;
  /** First forecast period, YYYY-MM-DD. */
  readonly origin: string;
  readonly horizon: number;
  readonly frequency: 'day' | 'week';
  readonly settings: DecisionSettings;
  readonly series: number;
  readonly inventory?: readonly InventoryDecision[];
  readonly stockout?: readonly StockoutDecision[];
  readonly pricing?: readonly PricingDecision[];
  readonly expansion?: ExpansionRanking;
  readonly summary?: ExecutiveSummary;
}

/** Computes the decisions `input.what` asks for; throws SalescastError naming a bad input. */
export function decisionReport(input: DecisionReportInput): DecisionReport {
  const { forecaster, history } = input;
  const want = new Set(input.what);
  if (want.has('summary')) for (const k of ['inventory', 'stockout', 'pricing'] as const) want.add(k);
  const h = input.horizon ?? forecaster.horizon;
  const frequency = history.freq;
  const settings: DecisionSettings = {
    ...DEFAULT_DECISION_SETTINGS,
    periodDays: frequency === 'week' ? 7 : 1,
    ...input.settings,
  };
  const result = forecaster.predict(h, { history, future: input.future });
  const model = forecaster.modelNames.includes(ENSEMBLE) ? ENSEMBLE : forecaster.modelNames[0];
  const demand = forecastDemand(result, model);
  const ids = selectSeries(result.seriesIds, { stores: input.stores, products: input.products });
  const states = panelSeriesStates(input.table);
  const overrides = { series: input.series, products: input.productOverrides };
  const out: {
    -readonly [K in keyof DecisionReport]: DecisionReport[K];
  } = {
    model,
    origin: formatDay(result.dates[0]),
    horizon: h,
    frequency,
    settings,
    series: ids.length,
  };
  if (want.has('inventory') || want.has('stockout')) {
    const inputs = resolveSeriesInputs(ids, states, overrides);
    if (want.has('inventory')) out.inventory = inventoryDecisions(demand, inputs, settings);
    if (want.has('stockout'))
      out.stockout = stockoutDecisions(demand, inputs, {
        horizon: settings.riskHorizon,
        seed: settings.seed,
      });
  }
  if (want.has('pricing')) {
    // Pricing needs prices and costs, not stock: a series without a stock count still gets priced.
    const inputs = resolveSeriesInputs(ids, states, overrides, { stock: false });
    const whatIf = supportsWhatIf(input.future)
      ? whatIfUnits({ forecaster, model, history, future: input.future, h, seriesIds: ids })
      : undefined;
    out.pricing = pricingDecisions(
      demand,
      inputs,
      { history: panelSalesHistory(input.table), whatIf },
      input.pricing,
    );
  }
  if (want.has('expansion')) {
    out.expansion = expansionDecision(panelStoreHistories(input.table), input.expansion, {
      stores: input.stores,
    });
  }
  if (want.has('summary')) {
    out.summary = summaryDecision(
      out.inventory ?? [],
      out.stockout ?? [],
      out.pricing ?? [],
      input.anomalies ?? null,
      input.topN,
    );
  }
  return out;
}
