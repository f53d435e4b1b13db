/**
 * The audit trail: an append-only, hash-chained log per tenant. Each entry's hash is SHA-256 over
 * the canonical JSON of its fields and the previous entry's hash; the tenant row keeps the chain
 * head, so an edited, inserted or deleted entry (even the last one) breaks verification, which
 * names the first bad entry.
 */
import { randomUUID } from 'node:crypto';
import type { AuditFilter, AuditRow } from '../store/repositories/audit.js';
import type { Store, TenantRepos } from '../store/store.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { actorOf, type Principal, type RequestContext, requirePermission } from './principal.js';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  actor: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  requestId: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  request_id: string;
  outcome: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** The first entry that does not verify, with the reason; absent when ok. */
  first_bad?: { seq: number; id: string | null; reason: string };
}

/** The hash of an entry: SHA-256 over the canonical JSON of every field but the hash itself. */
export function entryHash(tenantId: string, e: Omit<AuditRow, 'tenant_id' | 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      tenant_id: tenantId,
      seq: e.seq,
      id: e.id,
      at: e.at,
      actor: e.actor,
      action: e.action,
      target: e.target,
      request_id: e.request_id,
      outcome: e.outcome,
      details: e.details,
      prev_hash: e.prev_hash,
    }),
  );
}

/** Appends one entry inside the caller's tenant transaction (so it commits with the action). */
export async function appendAudit(
  repos: TenantRepos,
  event: AuditEvent,
  at: Date = new Date(),
): Promise<void> {
  const head = await repos.tenant.lockAuditHead();
  const row = {
    seq: head.seq + 1,
    id: randomUUID(),
    at: at.toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    request_id: event.requestId,
    outcome: event.outcome,
    details: canonicalJson(event.details ?? {}),
    prev_hash: head.hash,
  };
  const hash = entryHash(repos.tenantId, row);
  await repos.audit.append({ ...row, hash });
  if (!(await repos.tenant.advanceAuditHead(head.seq, row.seq, hash))) {
    throw new Error('audit chain head moved during append');
  }
}

/** Walks a tenant's whole chain and reports the first entry that does not verify. */
export async function verifyChain(repos: TenantRepos): Promise<VerifyResult> {
  const tenant = await repos.tenant.get();
  let prevHash = '';
  let expectedSeq = 1;
  let checked = 0;
  const PAGE = 1000;
  for (;;) {
    const page = await repos.audit.scan(expectedSeq - 1, PAGE);
    for (const row of page) {
      const bad = (reason: string): VerifyResult => ({
        ok: false,
        checked,
        first_bad: { seq: row.seq, id: row.id, reason },
      });
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          checked,
          first_bad: {
            seq: expectedSeq,
            id: null,
            reason: `entry ${expectedSeq} is missing (next present is ${row.seq}): deleted`,
          },
        };
      }
      if (row.prev_hash !== prevHash) return bad('its previous-hash does not match the entry before it');
      if (entryHash(repos.tenantId, row) !== row.hash)
        return bad('its content does not match its hash: edited');
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
    if (page.length < PAGE) break;
  }
  const headSeq = tenant?.audit_seq ?? 0;
  if (headSeq !== checked || (tenant?.audit_head ?? '') !== prevHash) {
    return {
      ok: false,
      checked,
      first_bad: {
        seq: checked + 1,
        id: null,
        reason: `the chain ends at entry ${checked} but its recorded head is entry ${headSeq}: entries deleted or added outside the log`,
      },
    };
  }
  return { ok: true, checked };
}

export interface AuditReport {
  from: string;
  to: string;
  days: number;
  total: number;
  by_action: Record<string, number>;
  by_outcome: Record<string, number>;
  failed_logins: number;
  denied_actions: number;
  actors: number;
  chain: VerifyResult;
}

export interface AuditService {
  list(p: Principal, filter: AuditFilter): Promise<AuditEntry[]>;
  verify(p: Principal): Promise<VerifyResult>;
  /** A compliance summary of the last `days` days (default 30). */
  report(p: Principal, days: number): Promise<AuditReport>;
  /** Records a refused attempt of `p` (403) in its own transaction. */
  denied(p: Principal, ctx: RequestContext, action: string, target: string): Promise<void>;
}

export function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    request_id: r.request_id,
    outcome: r.outcome,
    details: JSON.parse(r.details) as Record<string, unknown>,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

export function createAuditService(deps: { store: Store; now?: () => Date }): AuditService {
  const now = deps.now ?? (() => new Date());
  return {
    async list(p, filter) {
      requirePermission(p, 'audit:view');
      const rows = await deps.store.withTenant(p.tenantId, (r) => r.audit.list(filter));
      return rows.map(toEntry);
    },
    async verify(p) {
      requirePermission(p, 'audit:view');
      return deps.store.withTenant(p.tenantId, verifyChain);
    },
    async report(p, days) {
      requirePermission(p, 'audit:view');
      const to = now();
      const from = new Date(to.getTime() - days * 86_400_000);
      return deps.store.withTenant(p.tenantId, async (r) => {
        const byAction: Record<string, number> = {};
        const byOutcome: Record<string, number> = {};
        const actors = new Set<string>();
        let total = 0;
        let failedLogins = 0;
        let denied = 0;
        let beforeSeq: number | undefined;
        for (;;) {
          const page = await r.audit.list({
            from: from.toISOString(),
            // The list's `to` is exclusive; an entry recorded in the report's own millisecond
            // (a failed login just before it, say) belongs in the report.
            to: new Date(to.getTime() + 1).toISOString(),
            beforeSeq,
            limit: 1000,
          });
          for (const e of page) {
            total++;
            byAction[e.action] = (byAction[e.action] ?? 0) + 1;
            byOutcome[e.outcome] = (byOutcome[e.outcome] ?? 0) + 1;
            actors.add(e.actor);
            if (e.action === 'auth.login' && e.outcome !== 'success') failedLogins++;
            if (e.outcome === 'denied') denied++;
          }
          if (page.length < 1000) break;
          beforeSeq = page[page.length - 1].seq;
        }
        return {
          from: from.toISOString(),
          to: to.toISOString(),
          days,
          total,
          by_action: byAction,
          by_outcome: byOutcome,
          failed_logins: failedLogins,
          denied_actions: denied,
          actors: actors.size,
          chain: await verifyChain(r),
        };
      });
    },
    denied: (p, ctx, action, target) =>
      deps.store.withTenant(p.tenantId, (r) =>
        appendAudit(
          r,
          { actor: actorOf(p), action, target, outcome: 'denied', requestId: ctx.requestId },
          now(),
        ),
      ),
  };
}
