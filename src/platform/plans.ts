/**
 * Plans, their prices, rate limits and default quotas. Monthly metrics have an `included`
 * amount (paid by the plan price) and a hard `limit`; usage between them is billed as overage.
 * Stock metrics (stored bytes, models, series) are hard limits only.
 */

export const PLAN_NAMES = ['starter', 'pro', 'enterprise'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export const METRICS = [
  'api_calls',
  'prediction_rows',
  'training_minutes',
  'storage_bytes',
  'models',
  'series',
] as const;
export type Metric = (typeof METRICS)[number];

/** Metrics counted per calendar month; the others are current totals. */
export const MONTHLY_METRICS: readonly Metric[] = ['api_calls', 'prediction_rows', 'training_minutes'];

export interface PlanSpec {
  /** Monthly price in cents (USD). */
  readonly priceCents: number;
  /** Requests per minute per client (API key, user or address). */
  readonly rateLimitPerMinute: number;
  /** Hard limit per metric (per month for monthly metrics). */
  readonly limits: Readonly<Record<Metric, number>>;
  /** Amount of each monthly metric the price includes. */
  readonly included: Readonly<Partial<Record<Metric, number>>>;
  /** Overage price in cents per `per` units beyond `included`. */
  readonly overage: Readonly<Partial<Record<Metric, { cents: number; per: number }>>>;
}

const GIB = 1024 ** 3;
const OVERAGE = {
  api_calls: { cents: 50, per: 1000 },
  prediction_rows: { cents: 10, per: 1000 },
  training_minutes: { cents: 5, per: 1 },
} as const;

export const PLANS: Readonly<Record<PlanName, PlanSpec>> = {
  starter: {
    priceCents: 4_900,
    rateLimitPerMinute: 1000,
    limits: {
      api_calls: 200_000,
      prediction_rows: 2_000_000,
      training_minutes: 600,
      storage_bytes: GIB,
      models: 5,
      series: 1_000,
    },
    included: { api_calls: 100_000, prediction_rows: 1_000_000, training_minutes: 300 },
    overage: OVERAGE,
  },
  pro: {
    priceCents: 49_900,
    rateLimitPerMinute: 1000,
    limits: {
      api_calls: 2_000_000,
      prediction_rows: 40_000_000,
      training_minutes: 6_000,
      storage_bytes: 20 * GIB,
      models: 50,
      series: 50_000,
    },
    included: { api_calls: 1_000_000, prediction_rows: 20_000_000, training_minutes: 3_000 },
    overage: OVERAGE,
  },
  enterprise: {
    priceCents: 249_900,
    rateLimitPerMinute: 5000,
    limits: {
      api_calls: 20_000_000,
      prediction_rows: 1_000_000_000,
      training_minutes: 60_000,
      storage_bytes: 500 * GIB,
      models: 500,
      series: 1_000_000,
    },
    included: { api_calls: 10_000_000, prediction_rows: 500_000_000, training_minutes: 30_000 },
    overage: OVERAGE,
  },
};

export function isPlan(value: string): value is PlanName {
  return (PLAN_NAMES as readonly string[]).includes(value);
}

export function isMetric(value: string): value is Metric {
  return (METRICS as readonly string[]).includes(value);
}

/** The limits in force: the plan's, with the tenant's overrides on top. */
export function effectiveLimits(
  plan: PlanName,
  overrides: Partial<Record<Metric, number>>,
): Record<Metric, number> {
  return { ...PLANS[plan].limits, ...overrides };
}

/** 'YYYY-MM' of a time (UTC). */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
