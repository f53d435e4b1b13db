/**
 * Alerts: anomaly findings stored per tenant, deduplicated by (kind, series, date), listed and
 * acknowledged, and pushed as they happen to Server-Sent-Event subscribers and to the tenant's
 * webhooks. A finding is pushed when it is new or when a repeat makes it more severe; plain
 * repeats only count occurrences. With Redis, pushes travel over pub/sub so a client connected to
 * any API process sees alerts raised by every process.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { SalescastError } from '../core/errors.js';
import { appendAudit } from '../platform/audit-service.js';
import { actorOf, type Principal, type RequestContext, requirePermission } from '../platform/principal.js';
import type { AlertRow } from '../store/repositories/alerts.js';
import type { WebhookRow } from '../store/repositories/webhooks.js';
import type { Store } from '../store/store.js';
import { type Finding, SEVERITIES, type Severity, severityRank } from './anomaly.js';
import { DEFAULT_RETRY, type DeliveryOutcome, deliver, type RetryPolicy } from './webhook-delivery.js';
import { checkWebhookUrl } from './webhook-target.js';

export type Alert = Omit<AlertRow, 'status' | 'severity'> & {
  status: 'open' | 'acknowledged';
  severity: Severity;
};

// Rows are only ever written by this service, with these values.
const asAlert = (row: AlertRow): Alert => row as Alert;

export interface RaisedFinding extends Finding {
  readonly seriesId: string;
  /** 'YYYY-MM-DD' of the value judged. */
  readonly date: string;
  /** `<name>@<version>`. */
  readonly model: string;
}

export interface AlertQuery {
  readonly status?: 'open' | 'acknowledged';
  /** At or above this severity. */
  readonly minSeverity?: Severity;
  readonly seriesId?: string;
  readonly since?: string;
  readonly limit?: number;
}

export interface WebhookView {
  id: string;
  url: string;
  min_severity: Severity;
  created_at: string;
  last_status: string | null;
  last_delivery_at: string | null;
}

export interface AlertService {
  /** Stores a finding (or counts a repeat); returns the alert and whether it was pushed. */
  raise(tenantId: string, finding: RaisedFinding): Promise<{ alert: Alert; pushed: boolean }>;
  list(p: Principal, query: AlertQuery): Promise<Alert[]>;
  acknowledge(p: Principal, id: string, ctx: RequestContext): Promise<Alert>;
  /** Calls `listener` with each alert pushed for the tenant; returns the unsubscribe function. */
  subscribe(p: Principal, listener: (alert: Alert) => void): () => void;
  createWebhook(
    p: Principal,
    input: { url: string; minSeverity?: Severity },
    ctx: RequestContext,
  ): Promise<WebhookView & { secret: string }>;
  listWebhooks(p: Principal): Promise<WebhookView[]>;
  deleteWebhook(p: Principal, id: string, ctx: RequestContext): Promise<void>;
  /**
   * Resolves when every delivery started so far has finished (tests, shutdown), with the outcomes
   * of the last RECENT_OUTCOMES deliveries.
   */
  settled(): Promise<DeliveryOutcome[]>;
  /** What this process has raised and delivered since it started (for /metrics). */
  readonly counts: AlertCounts;
  close(): Promise<void>;
}

export interface AlertCounts {
  /** Findings raised, by `kind|severity`; a repeat of a stored alert counts again. */
  readonly raised: Map<string, number>;
  /** Webhook deliveries finished, retries included in one. */
  readonly deliveries: { delivered: number; failed: number };
}

/** Delivery outcomes `settled` returns: the latest ones, so a long-lived process keeps a bounded list. */
const RECENT_OUTCOMES = 1000;

export interface AlertServiceDeps {
  store: Store;
  redis?: Redis;
  redisPrefix?: string;
  retry?: RetryPolicy;
  now?: () => Date;
  /** Where delivery failures are reported (the server's logger). */
  onError?: (message: string, error: unknown) => void;
}

function toWebhookView(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    url: r.url,
    min_severity: r.min_severity as Severity,
    created_at: r.created_at,
    last_status: r.last_status,
    last_delivery_at: r.last_delivery_at,
  };
}

export function createAlertService(deps: AlertServiceDeps): AlertService {
  const now = deps.now ?? (() => new Date());
  const { store, redis } = deps;
  const local = new EventEmitter().setMaxListeners(0);
  const inflight = new Set<Promise<DeliveryOutcome>>();
  const done: DeliveryOutcome[] = [];
  const counts: AlertCounts = { raised: new Map(), deliveries: { delivered: 0, failed: 0 } };
  const shutdown = new AbortController();
  const channel = `${deps.redisPrefix ?? 'salescast:'}alerts`;
  const subscriber = redis?.duplicate();
  const ready = subscriber
    ? subscriber.subscribe(channel).then(() => {
        subscriber.on('message', (_ch: string, message: string) => {
          const { tenantId, alert } = JSON.parse(message) as { tenantId: string; alert: Alert };
          local.emit(tenantId, alert);
        });
      })
    : Promise.resolve();

  const push = async (tenantId: string, alert: Alert) => {
    if (redis) await redis.publish(channel, JSON.stringify({ tenantId, alert }));
    else local.emit(tenantId, alert);
    const hooks = await store.withTenant(tenantId, (r) => r.webhooks.list());
    for (const hook of hooks) {
      if (severityRank(alert.severity as Severity) < severityRank(hook.min_severity as Severity)) continue;
      const task = deliver(hook, 'alert', alert, deps.retry ?? DEFAULT_RETRY, shutdown.signal).then(
        async (outcome) => {
          done.push(outcome);
          if (done.length > RECENT_OUTCOMES) done.shift();
          counts.deliveries[outcome.delivered ? 'delivered' : 'failed']++;
          await store
            .withTenant(tenantId, (r) =>
              r.webhooks.recordDelivery(hook.id, outcome.status, now().toISOString()),
            )
            .catch((e: unknown) => deps.onError?.('could not record a webhook delivery', e));
          return outcome;
        },
      );
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
    }
  };

  return {
    async raise(tenantId, f) {
      const key = `${f.kind}|${f.seriesId}|${f.date}`;
      const at = now().toISOString();
      const message = `${f.kind.replace('_', ' ')} on ${f.seriesId} at ${f.date}: ${round(f.value)} against ${round(f.expected)} expected (robust z ${round(f.score)}).`;
      const { alert, pushed } = await store.withTenant(tenantId, async (r) => {
        const existing = await r.alerts.getByKey(key);
        if (!existing) {
          const row: AlertRow = {
            id: randomUUID(),
            dedup_key: key,
            kind: f.kind,
            severity: f.severity,
            series_id: f.seriesId,
            date: f.date,
            model: f.model,
            value: f.value,
            expected: f.expected,
            score: f.score,
            message,
            occurrences: 1,
            status: 'open',
            first_seen_at: at,
            last_seen_at: at,
            acknowledged_by: null,
            acknowledged_at: null,
          };
          await r.alerts.insert(row);
          return { alert: asAlert(row), pushed: true };
        }
        const worse = severityRank(f.severity) > severityRank(existing.severity as Severity);
        const update = {
          severity: worse ? f.severity : existing.severity,
          value: f.value,
          expected: f.expected,
          score: f.score,
          message,
          last_seen_at: at,
        };
        await r.alerts.repeat(existing.id, update);
        return {
          alert: asAlert({ ...existing, ...update, occurrences: existing.occurrences + 1 }),
          pushed: worse,
        };
      });
      const counted = `${f.kind}|${f.severity}`;
      counts.raised.set(counted, (counts.raised.get(counted) ?? 0) + 1);
      if (pushed) await push(tenantId, alert);
      return { alert, pushed };
    },

    async list(p, query) {
      requirePermission(p, 'forecasts:view');
      const min = query.minSeverity ? severityRank(query.minSeverity) : 0;
      const rows = await store.withTenant(p.tenantId, (r) =>
        r.alerts.list({
          status: query.status,
          severity: SEVERITIES.filter((s) => severityRank(s) >= min),
          seriesId: query.seriesId,
          since: query.since,
          limit: query.limit ?? 100,
        }),
      );
      return rows.map(asAlert);
    },

    async acknowledge(p, id, ctx) {
      requirePermission(p, 'alerts:acknowledge');
      return store.withTenant(p.tenantId, async (r) => {
        const alert = await r.alerts.get(id);
        if (!alert) throw new SalescastError('NOT_FOUND', `No alert '${id}'.`, { field: 'id' });
        if (alert.status === 'acknowledged') return asAlert(alert);
        const at = now();
        await r.alerts.acknowledge(id, actorOf(p), at.toISOString());
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'alert.acknowledge',
            target: `alert:${id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { kind: alert.kind, series_id: alert.series_id, date: alert.date },
          },
          at,
        );
        return asAlert({
          ...alert,
          status: 'acknowledged',
          acknowledged_by: actorOf(p),
          acknowledged_at: at.toISOString(),
        });
      });
    },

    subscribe(p, listener) {
      requirePermission(p, 'forecasts:view');
      local.on(p.tenantId, listener);
      return () => local.off(p.tenantId, listener);
    },

    async createWebhook(p, input, ctx) {
      requirePermission(p, 'settings:manage');
      await checkWebhookUrl(input.url);
      const row: WebhookRow = {
        id: randomUUID(),
        url: input.url,
        secret: `whsec_${randomBytes(24).toString('base64url')}`,
        min_severity: input.minSeverity ?? 'minor',
        created_by: actorOf(p),
        created_at: now().toISOString(),
        last_status: null,
        last_delivery_at: null,
      };
      await store.withTenant(p.tenantId, async (r) => {
        await r.webhooks.insert(row);
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'webhook.create',
            target: `webhook:${row.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { url: row.url, min_severity: row.min_severity },
          },
          now(),
        );
      });
      return { ...toWebhookView(row), secret: row.secret };
    },

    async listWebhooks(p) {
      requirePermission(p, 'settings:manage');
      return (await store.withTenant(p.tenantId, (r) => r.webhooks.list())).map(toWebhookView);
    },

    async deleteWebhook(p, id, ctx) {
      requirePermission(p, 'settings:manage');
      await store.withTenant(p.tenantId, async (r) => {
        if (!(await r.webhooks.delete(id)))
          throw new SalescastError('NOT_FOUND', `No webhook '${id}'.`, { field: 'id' });
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'webhook.delete',
            target: `webhook:${id}`,
            outcome: 'success',
            requestId: ctx.requestId,
          },
          now(),
        );
      });
    },

    counts,

    async settled() {
      await ready;
      while (inflight.size > 0) await Promise.all([...inflight]);
      return [...done];
    },

    async close() {
      shutdown.abort();
      await Promise.all([...inflight]);
      await ready.catch(() => undefined);
      if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
      local.removeAllListeners();
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
