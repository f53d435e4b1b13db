/**
 * The executive summary's action list: reorders due, revenue at risk, pricing opportunities and
 * anomalies, merged, ranked by the money at stake and described in one plain sentence each, built
 * only from the numbers (no free text from a model).
 *
 * Money at stake per kind:
 * - reorder: the expected lost revenue of that series when a stockout-loss row is given for it
 *   (the reorder then carries that risk and no separate risk action is listed), else the value of
 *   the order at unit cost;
 * - stockout risk: the expected lost revenue;
 * - pricing: the expected profit gain of the optimal discount;
 * - anomaly: |observed − expected| units × unit value.
 * Ties are broken by kind (reorder, stockout risk, pricing, anomaly) and then by identifiers.
 */
import { requireInteger, requireNonNegative } from './arguments.js';
import type { DiscountOptimization } from './discount-optimizer.js';
import type { ReplenishmentPlan } from './inventory-policy.js';
import type { StockoutLoss } from './stockout-loss.js';

export interface ReorderRow {
  readonly storeId: string;
  readonly productId: string;
  readonly plan: ReplenishmentPlan;
  readonly unitCost: number;
}

export interface StockoutRow {
  readonly storeId: string;
  readonly productId: string;
  readonly loss: StockoutLoss;
}

export interface PricingRow {
  readonly productId: string;
  readonly result: DiscountOptimization;
}

/** An observation far from its expectation, e.g. from the realtime anomaly detector. */
export interface AnomalyRow {
  readonly storeId: string;
  readonly productId: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly observedUnits: number;
  readonly expectedUnits: number;
  /** Money per unit of deviation, e.g. the paid price. */
  readonly unitValue: number;
}

export type ActionKind = 'reorder' | 'stockout-risk' | 'pricing' | 'anomaly';

export interface SummaryAction {
  readonly rank: number;
  readonly kind: ActionKind;
  readonly storeId: string | null;
  readonly productId: string;
  readonly moneyAtStake: number;
  readonly sentence: string;
}

export interface SummaryInput {
  readonly reorders?: readonly ReorderRow[];
  readonly stockouts?: readonly StockoutRow[];
  readonly pricing?: readonly PricingRow[];
  readonly anomalies?: readonly AnomalyRow[];
  /** How many actions to return; default 10. */
  readonly topN?: number;
}

const KIND_ORDER: Readonly<Record<ActionKind, number>> = {
  reorder: 0,
  'stockout-risk': 1,
  pricing: 2,
  anomaly: 3,
};

const money = (x: number) => x.toFixed(2);
const units = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const signed = (x: number, format: (v: number) => string) => `${x >= 0 ? '+' : '−'}${format(Math.abs(x))}`;

/** The top actions, best first; throws INVALID_ARGUMENT for a bad `topN` or negative money. */
export function executiveSummary(input: SummaryInput): SummaryAction[] {
  const topN = input.topN ?? 10;
  requireInteger('topN', topN, 1);
  const actions: Omit<SummaryAction, 'rank'>[] = [];
  const key = (s: string, p: string) => `${s}\u0000${p}`;
  const risks = new Map((input.stockouts ?? []).map((r) => [key(r.storeId, r.productId), r.loss]));
  const covered = new Set<string>();

  (input.reorders ?? []).forEach((r, i) => {
    requireNonNegative(`reorders[${i}].unitCost`, r.unitCost);
    const { plan } = r;
    if (plan.urgency === 'none' || plan.orderQuantity <= 0) return;
    const risk = risks.get(key(r.storeId, r.productId));
    if (risk !== undefined) covered.add(key(r.storeId, r.productId));
    const cover =
      plan.periodsUntilStockout === null
        ? 'stock covers the whole forecast horizon'
        : `stock covers ${plan.periodsUntilStockout.toFixed(1)} periods against a lead time of ${plan.leadTime}`;
    const riskText =
      risk !== undefined && risk.expectedLostRevenue > 0
        ? `; ${money(risk.expectedLostRevenue)} of revenue at risk over ${risk.horizon} periods`
        : '';
    actions.push({
      kind: 'reorder',
      storeId: r.storeId,
      productId: r.productId,
      moneyAtStake: risk !== undefined ? risk.expectedLostRevenue : plan.orderQuantity * r.unitCost,
      sentence: `Order ${plan.orderQuantity} units of ${r.productId} for ${r.storeId} (urgency ${plan.urgency}): ${cover}${riskText}.`,
    });
  });

  for (const r of input.stockouts ?? []) {
    const { loss } = r;
    if (covered.has(key(r.storeId, r.productId)) || !(loss.expectedLostRevenue > 0)) continue;
    actions.push({
      kind: 'stockout-risk',
      storeId: r.storeId,
      productId: r.productId,
      moneyAtStake: loss.expectedLostRevenue,
      sentence: `${r.productId} at ${r.storeId} risks ${units(Number(loss.expectedLostUnits.toFixed(1)))} lost units (${money(loss.expectedLostRevenue)} revenue) over ${loss.horizon} periods; stockout probability ${(100 * loss.stockoutProbability).toFixed(0)}%.`,
    });
  }

  for (const r of input.pricing ?? []) {
    const o = r.result;
    if (o.optimum.discountPct === 0 || !(o.deltaProfit > 0)) continue;
    actions.push({
      kind: 'pricing',
      storeId: null,
      productId: r.productId,
      moneyAtStake: o.deltaProfit,
      sentence: `Discount ${r.productId} by ${o.optimum.discountPct}%: expected ${signed(o.deltaUnits, (v) => v.toFixed(0))} units, revenue ${signed(o.deltaRevenue, money)}, profit ${signed(o.deltaProfit, money)} (95% band ${signed(o.deltaProfitLow, money)} to ${signed(o.deltaProfitHigh, money)}).`,
    });
  }

  (input.anomalies ?? []).forEach((a, i) => {
    requireNonNegative(`anomalies[${i}].unitValue`, a.unitValue);
    const deviation = a.observedUnits - a.expectedUnits;
    actions.push({
      kind: 'anomaly',
      storeId: a.storeId,
      productId: a.productId,
      moneyAtStake: Math.abs(deviation) * a.unitValue,
      sentence: `${a.productId} at ${a.storeId} sold ${units(a.observedUnits)} units on ${a.date} against ${units(Number(a.expectedUnits.toFixed(1)))} expected (${signed(deviation, (v) => v.toFixed(1))} units, ${money(Math.abs(deviation) * a.unitValue)} at stake).`,
    });
  });

  return actions
    .sort(
      (x, y) =>
        y.moneyAtStake - x.moneyAtStake ||
        KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
        x.productId.localeCompare(y.productId) ||
        (x.storeId ?? '').localeCompare(y.storeId ?? ''),
    )
    .slice(0, topN)
    .map((a, i) => ({ rank: i + 1, ...a }));
}
