/**
 * Usage metering and quotas.
 *
 * The per-request counters (`api_calls`, `prediction_rows`) are buffered: an increment is checked
 * and added in memory, and the pending increments of a tenant are written to the database in one
 * transaction every `flushIntervalMs` (default 1 s) and on `close()`, by atomic upserts that
 * return the new values. A quota check counts the last value read from the database plus this
 * process's increments not yet written, so within one process a quota is exact; across processes
 * a tenant can exceed it by at most what the other processes counted within one flush interval
 * (docs/OPERATIONS.md). A crash loses at most the last interval's increments.
 *
 * The other metrics (storage, models, training minutes, series) move by one atomic upsert each,
 * usually inside the transaction of the action they count; the request that crosses a hard limit
 * is refused and its count rolled back.
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
  /**
   * Adds `delta` to a metric of the tenant and enforces its quota (negative deltas never fail);
   * returns the new value. Buffered metrics are written at the next flush.
   */
  add(tenantId: string, metric: Metric, delta: number): Promise<number>;
  /** The same inside a caller's transaction, so the count commits with the action. */
  addIn(repos: TenantRepos, metric: Metric, delta: number): Promise<number>;
  report(p: Principal, period?: string): Promise<UsageReport>;
  /** Counters of a period without a permission check (billing, CLI); pending increments included. */
  read(tenantId: string, period: string): Promise<UsageReport>;
  /** Writes every pending increment now (tests that read the table, shutdown). */
  flush(): Promise<void>;
  /** Forgets the tenant's cached limits and counters (after a quota or plan change). */
  forget(tenantId: string): void;
  /** Stops the flush timer and writes what is pending. */
  close(): Promise<void>;
}

/** The per-request counters, metered in memory and flushed in batches. */
export const BUFFERED_METRICS: readonly Metric[] = ['api_calls', 'prediction_rows'];

/** Default time between flushes of the buffered counters. */
export const USAGE_FLUSH_INTERVAL_MS = 1_000;

/** Buffered state of one tenant in this process; counters are keyed by `period|metric`. */
interface TenantMeter {
  limits: Record<Metric, number> | undefined;
  /** When `limits` and `base` were last read (ms since the epoch); 0 forces a reload. */
  loadedAt: number;
  /** Last values read from (or written to) the database. */
  base: Map<string, number>;
  /** Increments not yet sent to the database. */
  pending: Map<string, number>;
  /** Increments being written by the running flush. */
  inflight: Map<string, number>;
  /** Tail of this tenant's database work (reloads, flushes, reads), run one after another. */
  queue: Promise<unknown>;
  /** The reload requested by callers that found the meter stale. */
  reload?: Promise<void>;
}

export function quotaExceeded(metric: Metric, limit: number, used: number): SalescastError {
  return new SalescastError(
    'QUOTA_EXCEEDED',
    `The '${metric}' quota of this tenant is used up (${used} of ${limit}${MONTHLY_METRICS.includes(metric) ? ' this month' : ''}).`,
    { field: metric },
    { quota: metric, limit, used },
  );
}

export function createUsageService(deps: {
  store: Store;
  now?: () => Date;
  /** Time between flushes of the buffered counters; default `USAGE_FLUSH_INTERVAL_MS`. */
  flushIntervalMs?: number;
}): UsageService {
  const { now } = deps;
  // Without a test clock, no Date is made per call.
  const nowMs = now ? () => now().getTime() : Date.now;
  const interval = deps.flushIntervalMs ?? USAGE_FLUSH_INTERVAL_MS;
  const { store } = deps;
  const meters = new Map<string, TenantMeter>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Every metered request asks for the current month and its counters' keys, so they are made
  // once per month, not per call.
  let month = { period: '', startMs: 0, endMs: 0, counterKeys: new Map<Metric, string>() };
  const currentPeriod = (): string => {
    const t = nowMs();
    if (t < month.startMs || t >= month.endMs) {
      const d = new Date(t);
      const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
      month = {
        period: periodOf(d),
        startMs: Date.UTC(y, m, 1),
        endMs: Date.UTC(y, m + 1, 1),
        counterKeys: new Map(),
      };
    }
    return month.period;
  };
  const periodKey = (metric: Metric) => (MONTHLY_METRICS.includes(metric) ? currentPeriod() : 'total');
  const counterKey = (period: string, metric: Metric) => `${period}|${metric}`;
  /** The key of `metric`'s counter in the current period. */
  const currentCounterKey = (metric: Metric): string => {
    const period = periodKey(metric);
    let key = month.counterKeys.get(metric);
    if (key === undefined) {
      key = counterKey(period, metric);
      month.counterKeys.set(metric, key);
    }
    return key;
  };
  const get = (m: Map<string, number>, key: string) => m.get(key) ?? 0;
  /** This process's increments of a counter that the database does not hold yet. */
  const unwritten = (meter: TenantMeter | undefined, key: string) =>
    meter ? get(meter.pending, key) + get(meter.inflight, key) : 0;

  const meterOf = (tenantId: string): TenantMeter => {
    let m = meters.get(tenantId);
    if (!m) {
      m = {
        limits: undefined,
        loadedAt: 0,
        base: new Map(),
        pending: new Map(),
        inflight: new Map(),
        queue: Promise.resolve(),
      };
      meters.set(tenantId, m);
    }
    return m;
  };

  /** Runs `fn` after the tenant's earlier database work, so reloads and flushes never overlap. */
  const serially = <T>(meter: TenantMeter, fn: () => Promise<T>): Promise<T> => {
    const run = meter.queue.then(fn, fn);
    meter.queue = run.catch(() => undefined);
    return run;
  };

  const limitsOf = (tenant: { plan: string; quota_overrides: string }) =>
    effectiveLimits(tenant.plan as PlanName, JSON.parse(tenant.quota_overrides));

  /**
   * One transaction: writes the tenant's pending increments (moved to `inflight` meanwhile), then
   * reads its limits and buffered counters. On success the database values replace `base` and
   * the written increments leave `inflight`; on failure they go back to `pending`.
   */
  const sync = (tenantId: string, meter: TenantMeter) =>
    serially(meter, async () => {
      for (const [k, v] of meter.pending) meter.inflight.set(k, get(meter.inflight, k) + v);
      meter.pending.clear();
      const writes = [...meter.inflight];
      const period = currentPeriod();
      try {
        const { limits, counters } = await store.withTenant(tenantId, async (r) => {
          for (const [k, delta] of writes) {
            const [p, metric] = k.split('|');
            if (delta !== 0) await r.usage.add(p, metric, delta);
          }
          const tenant = await r.tenant.get();
          if (!tenant) throw new SalescastError('NOT_FOUND', 'No such tenant.');
          return { limits: limitsOf(tenant), counters: await r.usage.read([period, 'total']) };
        });
        meter.inflight.clear();
        meter.base.clear();
        for (const metric of BUFFERED_METRICS) {
          const p = MONTHLY_METRICS.includes(metric) ? period : 'total';
          meter.base.set(counterKey(p, metric), counters[p][metric] ?? 0);
        }
        meter.limits = limits;
        meter.loadedAt = Date.now();
      } catch (e) {
        for (const [k, v] of meter.inflight) meter.pending.set(k, get(meter.pending, k) + v);
        meter.inflight.clear();
        throw e;
      }
    });

  const flushAll = async () => {
    const due = [...meters].filter(([, m]) => m.pending.size > 0);
    const results = await Promise.allSettled(due.map(([t, m]) => sync(t, m)));
    // A tenant deleted meanwhile has nothing left to count.
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected' && (r.reason as { code?: string }).code === 'NOT_FOUND') {
        meters.delete(due[i][0]);
      }
    }
    const failed = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && (r.reason as { code?: string }).code !== 'NOT_FOUND',
    );
    if (failed) throw failed.reason;
  };

  const startTimer = () => {
    if (timer || closed) return;
    // A failed flush keeps its increments pending; the next tick retries them.
    timer = setInterval(() => void flushAll().catch(() => undefined), interval);
    timer.unref();
  };

  /** Checks and counts `delta` of a buffered metric in memory. */
  const addBuffered = async (tenantId: string, metric: Metric, delta: number): Promise<number> => {
    const meter = meterOf(tenantId);
    const key = currentCounterKey(metric);
    if (!meter.limits || Date.now() - meter.loadedAt > interval || !meter.base.has(key)) {
      // Concurrent callers share one reload.
      meter.reload ??= sync(tenantId, meter)
        .catch((e: unknown) => {
          if (meter.pending.size === 0 && meter.inflight.size === 0) meters.delete(tenantId);
          throw e;
        })
        .finally(() => {
          meter.reload = undefined;
        });
      await meter.reload;
    }
    // From here to the increment nothing awaits, so concurrent callers in this process are exact.
    const used = get(meter.base, key) + unwritten(meter, key);
    const limits = meter.limits as Record<Metric, number>;
    if (delta > 0 && used + delta > limits[metric]) {
      // The refused call is not counted: a tenant at its limit is not pushed further over it.
      throw quotaExceeded(metric, limits[metric], used);
    }
    meter.pending.set(key, get(meter.pending, key) + delta);
    startTimer();
    return used + delta;
  };

  const addIn = async (r: TenantRepos, metric: Metric, delta: number): Promise<number> => {
    const tenant = await r.tenant.get();
    if (!tenant) throw new SalescastError('NOT_FOUND', 'No such tenant.');
    const key = periodKey(metric);
    const value = await r.usage.add(key, metric, delta);
    if (delta > 0) {
      const limit = limitsOf(tenant)[metric];
      const used = value + unwritten(meters.get(r.tenantId), counterKey(key, metric));
      // Throwing rolls the increment back with the transaction; a concurrent caller waits on
      // the counter's row lock, so it sees the value before this refused increment.
      if (used > limit) throw quotaExceeded(metric, limit, used - delta);
    }
    return value;
  };

  const readDb = (tenantId: string, period: string) =>
    store.withTenant(tenantId, async (r) => {
      const tenant = await r.tenant.get();
      if (!tenant) throw new SalescastError('NOT_FOUND', 'No such tenant.');
      const plan = tenant.plan as PlanName;
      const limits = limitsOf(tenant);
      const counters = await r.usage.read([period, 'total']);
      const meter = meters.get(tenantId);
      const metrics = {} as Record<Metric, MetricUsage>;
      for (const m of METRICS) {
        const monthly = MONTHLY_METRICS.includes(m);
        const p = monthly ? period : 'total';
        metrics[m] = {
          used: (counters[p][m] ?? 0) + unwritten(meter, counterKey(p, m)),
          limit: limits[m],
          included: monthly ? (PLANS[plan].included[m] ?? 0) : null,
        };
      }
      return { tenant_id: tenantId, plan, period, metrics };
    });

  // Queued behind the tenant's flush, so an increment is never counted both in the table and
  // in `inflight`.
  const read = (tenantId: string, period: string) => {
    const meter = meters.get(tenantId);
    return meter ? serially(meter, () => readDb(tenantId, period)) : readDb(tenantId, period);
  };

  return {
    async countApiCall(tenantId) {
      await addBuffered(tenantId, 'api_calls', 1);
    },
    add: (tenantId, metric, delta) =>
      BUFFERED_METRICS.includes(metric)
        ? addBuffered(tenantId, metric, delta)
        : store.withTenant(tenantId, (r) => addIn(r, metric, delta)),
    addIn,
    async report(p, period) {
      requirePermission(p, 'usage:view');
      return read(p.tenantId, period ?? currentPeriod());
    },
    read,
    flush: flushAll,
    forget(tenantId) {
      const meter = meters.get(tenantId);
      if (meter) meter.loadedAt = 0;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushAll();
    },
  };
}
