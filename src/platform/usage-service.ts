/**
 * Usage metering and quotas. Every counter moves by one atomic upsert that returns the new value,
 * so concurrent requests never lose a count, and the quota check uses the value that upsert
 * returned: the request that crosses a hard limit is refused and its count rolled back.
 */
import { SalescastError } from '../core/errors.js';
import type { Store, TenantRepos } from '../store/store.js';
import {
  effectiveLimits,
  METRICS,
  type Metric,
  MONTHLY_METRICS,
  PLANS,
  type PlanName,
  periodOf,
} from './plans.js';
import { type Principal, requirePermission } from './principal.js';

export interface MetricUsage {
  used: number;
  limit: number;
  /** Included in the plan price (monthly metrics only). */
  included: number | null;
}

export interface UsageReport {
  tenant_id: string;
  plan: PlanName;
  period: string;
  metrics: Record<Metric, MetricUsage>;
}

export interface UsageService {
  /** Counts one API call and enforces the monthly API-call quota. */
  countApiCall(tenantId: string): Promise<void>;
  /** Adds `delta` to a metric of the tenant and enforces its quota (negative deltas never fail). */
  add(tenantId: string, metric: Metric, delta: number): Promise<number>;
  /** The same inside a caller's transaction, so the count commits with the action. */
  addIn(repos: TenantRepos, metric: Metric, delta: number): Promise<number>;
  report(p: Principal, period?: string): Promise<UsageReport>;
  /** Counters of a period without a permission check (billing, CLI). */
  read(tenantId: string, period: string): Promise<UsageReport>;
}

const periodKey = (metric: Metric, at: Date) => (MONTHLY_METRICS.includes(metric) ? periodOf(at) : 'total');

export function quotaExceeded(metric: Metric, limit: number, used: number): SalescastError {
  return new SalescastError(
    'QUOTA_EXCEEDED',
    `The '${metric}' quota of this tenant is used up (${used} of ${limit}${MONTHLY_METRICS.includes(metric) ? ' this month' : ''}).`,
    { field: metric },
    { quota: metric, limit, used },
  );
}

export function createUsageService(deps: { store: Store; now?: () => Date }): UsageService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const addIn = async (r: TenantRepos, metric: Metric, delta: number): Promise<number> => {
    const tenant = await r.tenant.get();
    if (!tenant) throw new SalescastError('NOT_FOUND', 'No such tenant.');
    const key = periodKey(metric, now());
    const value = await r.usage.add(key, metric, delta);
    if (delta > 0) {
      const limit = effectiveLimits(tenant.plan as PlanName, JSON.parse(tenant.quota_overrides))[metric];
      // Throwing rolls the increment back with the transaction; a concurrent caller waits on
      // the counter's row lock, so it sees the value before this refused increment.
      if (value > limit) throw quotaExceeded(metric, limit, value - delta);
    }
    return value;
  };

  const read = (tenantId: string, period: string) =>
    store.withTenant(tenantId, async (r) => {
      const tenant = await r.tenant.get();
      if (!tenant) throw new SalescastError('NOT_FOUND', 'No such tenant.');
      const plan = tenant.plan as PlanName;
      const limits = effectiveLimits(plan, JSON.parse(tenant.quota_overrides));
      const counters = await r.usage.read([period, 'total']);
      const metrics = {} as Record<Metric, MetricUsage>;
      for (const m of METRICS) {
        const monthly = MONTHLY_METRICS.includes(m);
        metrics[m] = {
          used: (monthly ? counters[period][m] : counters.total[m]) ?? 0,
          limit: limits[m],
          included: monthly ? (PLANS[plan].included[m] ?? 0) : null,
        };
      }
      return { tenant_id: tenantId, plan, period, metrics };
    });

  return {
    async countApiCall(tenantId) {
      // The refused call is not counted: a tenant at its limit is not pushed further over it.
      await store.withTenant(tenantId, (r) => addIn(r, 'api_calls', 1));
    },
    add: (tenantId, metric, delta) => store.withTenant(tenantId, (r) => addIn(r, metric, delta)),
    addIn,
    async report(p, period) {
      requirePermission(p, 'usage:view');
      return read(p.tenantId, period ?? periodOf(now()));
    },
    read,
  };
}
