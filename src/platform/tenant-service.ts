/**
 * Tenants: created, listed and suspended by a platform super-admin (or bootstrapped by the CLI);
 * each has a plan with default quotas that it may override, and white-label branding.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { SalescastError } from '../core/errors.js';
import { tenantDir } from '../store/files.js';
import type { TenantRow } from '../store/repositories/tenants.js';
import type { Store } from '../store/store.js';
import { appendAudit } from './audit-service.js';
import { normalizeEmail } from './email.js';
import { type Argon2Params, checkPasswordPolicy, hashPassword } from './passwords.js';
import { effectiveLimits, isMetric, isPlan, type Metric, type PlanName } from './plans.js';
import {
  actorOf,
  type Principal,
  type RequestContext,
  requirePermission,
  requirePlatformAdmin,
} from './principal.js';

export interface Branding {
  name?: string;
  logo_url?: string;
  colors?: { primary?: string; secondary?: string; accent?: string };
}

export interface TenantView {
  id: string;
  name: string;
  plan: PlanName;
  status: 'active' | 'suspended';
  quotas: Record<Metric, number>;
  quota_overrides: Partial<Record<Metric, number>>;
  branding: Branding;
  created_at: string;
}

export interface CreateTenantInput {
  name: string;
  plan: string;
  adminEmail: string;
  adminPassword: string;
  /** Make the first admin a platform super-admin too (the CLI bootstrap may). */
  platformAdmin?: boolean;
}

export interface TenantService {
  /** Creates a tenant and its first admin. `by` is the super-admin, or undefined for the CLI. */
  create(
    input: CreateTenantInput,
    by: Principal | undefined,
    ctx: RequestContext,
  ): Promise<{ tenant_id: string; admin_user_id: string }>;
  list(p: Principal): Promise<TenantView[]>;
  /** Lists every tenant without a principal (CLI on the server's own machine). */
  listAll(): Promise<TenantView[]>;
  setStatus(
    by: Principal | undefined,
    tenantId: string,
    status: 'active' | 'suspended',
    ctx: RequestContext,
  ): Promise<TenantView>;
  current(p: Principal): Promise<TenantView>;
  setBranding(p: Principal, branding: Branding, ctx: RequestContext): Promise<Branding>;
  setQuotas(
    p: Principal,
    tenantId: string,
    overrides: Partial<Record<string, number | null>>,
    ctx: RequestContext,
  ): Promise<TenantView>;
}

export function toTenantView(row: TenantRow): TenantView {
  const overrides = JSON.parse(row.quota_overrides) as Partial<Record<Metric, number>>;
  const plan = row.plan as PlanName;
  return {
    id: row.id,
    name: row.name,
    plan,
    status: row.status as TenantView['status'],
    quotas: effectiveLimits(plan, overrides),
    quota_overrides: overrides,
    branding: JSON.parse(row.branding) as Branding,
    created_at: row.created_at,
  };
}

const conflictError = (email: string) =>
  new SalescastError('CONFLICT', `A user with email '${email}' already exists.`, { field: 'admin_email' });

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
const LOGO_URL = /^https?:\/\/[^\s"'<>]{1,2000}$/;

function checkBranding(b: Branding): Branding {
  const out: Branding = {};
  if (b.name !== undefined) {
    if (b.name.length < 1 || b.name.length > 120) {
      throw new SalescastError('INVALID_ARGUMENT', 'branding name must have 1 to 120 characters.', {
        field: 'name',
      });
    }
    out.name = b.name;
  }
  if (b.logo_url !== undefined) {
    if (!LOGO_URL.test(b.logo_url)) {
      throw new SalescastError('INVALID_ARGUMENT', 'logo_url must be an http(s) URL.', { field: 'logo_url' });
    }
    out.logo_url = b.logo_url;
  }
  if (b.colors !== undefined) {
    out.colors = {};
    for (const k of ['primary', 'secondary', 'accent'] as const) {
      const c = b.colors[k];
      if (c === undefined) continue;
      if (!HEX_COLOR.test(c)) {
        throw new SalescastError('INVALID_ARGUMENT', `colors.${k} must be a colour like #1a2b3c.`, {
          field: `colors.${k}`,
        });
      }
      out.colors[k] = c;
    }
  }
  return out;
}

export function createTenantService(deps: {
  store: Store;
  dataDir: string;
  argon2: Argon2Params;
  /**
   * Called after a status or quota change commits (drops the tenant's cached principals and
   * usage limits in this process).
   */
  onAccessChange?: (tenantId: string) => void;
  now?: () => Date;
}): TenantService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const load = async (tenantId: string) => {
    const row = await store.system.getTenant(tenantId);
    if (!row) throw new SalescastError('NOT_FOUND', `No tenant '${tenantId}'.`);
    return row;
  };

  return {
    async create(input, by, ctx) {
      if (by) requirePlatformAdmin(by);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 120) {
        throw new SalescastError('INVALID_ARGUMENT', 'A tenant name must have 1 to 120 characters.', {
          field: 'name',
        });
      }
      if (!isPlan(input.plan)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `plan must be starter, pro or enterprise; got '${input.plan}'.`,
          {
            field: 'plan',
          },
        );
      }
      const email = normalizeEmail(input.adminEmail, 'admin_email');
      checkPasswordPolicy(input.adminPassword);
      if (await store.system.findUserByEmail(email)) {
        throw new SalescastError('CONFLICT', `A user with email '${email}' already exists.`, {
          field: 'admin_email',
        });
      }
      const at = now().toISOString();
      const tenantId = randomUUID();
      const adminId = randomUUID();
      const passwordHash = await hashPassword(input.adminPassword, deps.argon2);
      await store.system
        .createTenant(
          {
            id: tenantId,
            name,
            plan: input.plan,
            status: 'active',
            quota_overrides: '{}',
            branding: JSON.stringify({ name }),
            audit_seq: 0,
            audit_head: '',
            created_at: at,
            updated_at: at,
          },
          {
            id: adminId,
            tenant_id: tenantId,
            email,
            password_hash: passwordHash,
            role: 'admin',
            platform_admin: input.platformAdmin ? 1 : 0,
            status: 'active',
            created_at: at,
            updated_at: at,
          },
        )
        .catch(async (e: unknown) => {
          // Two concurrent creates with one email: the unique index lets one win.
          throw (await store.system.findUserByEmail(email)) ? conflictError(email) : e;
        });
      await mkdir(tenantDir(deps.dataDir, tenantId), { recursive: true });
      const actor = by ? actorOf(by) : 'system:cli';
      await store.withTenant(tenantId, async (r) => {
        await appendAudit(
          r,
          {
            actor,
            action: 'tenant.create',
            target: `tenant:${tenantId}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { name, plan: input.plan },
          },
          now(),
        );
        await appendAudit(
          r,
          {
            actor,
            action: 'user.create',
            target: `user:${adminId}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { role: 'admin', platform_admin: Boolean(input.platformAdmin) },
          },
          now(),
        );
      });
      return { tenant_id: tenantId, admin_user_id: adminId };
    },
    async list(p) {
      requirePlatformAdmin(p);
      return (await store.system.listTenants()).map(toTenantView);
    },
    async listAll() {
      return (await store.system.listTenants()).map(toTenantView);
    },
    async setStatus(by, tenantId, status, ctx) {
      if (by) requirePlatformAdmin(by);
      await load(tenantId);
      if (by && by.tenantId === tenantId && status === 'suspended') {
        throw new SalescastError('CONFLICT', 'A super-admin cannot suspend their own tenant.');
      }
      const view = await store.withTenant(tenantId, async (r) => {
        await r.tenant.update({ status });
        if (status === 'suspended') {
          // Suspension ends every session at once; API keys are refused while suspended.
          for (const u of await r.users.list()) await r.sessions.revokeAllOfUser(u.id);
        }
        await appendAudit(
          r,
          {
            actor: by ? actorOf(by) : 'system:cli',
            action: status === 'suspended' ? 'tenant.suspend' : 'tenant.reinstate',
            target: `tenant:${tenantId}`,
            outcome: 'success',
            requestId: ctx.requestId,
          },
          now(),
        );
        return toTenantView((await r.tenant.get())!);
      });
      deps.onAccessChange?.(tenantId);
      return view;
    },
    async current(p) {
      return store.withTenant(p.tenantId, async (r) => toTenantView((await r.tenant.get())!));
    },
    async setBranding(p, branding, ctx) {
      requirePermission(p, 'settings:manage');
      const clean = checkBranding(branding);
      return store.withTenant(p.tenantId, async (r) => {
        await r.tenant.update({ branding: JSON.stringify(clean) });
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'settings.branding',
            target: `tenant:${p.tenantId}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { ...clean },
          },
          now(),
        );
        return clean;
      });
    },
    async setQuotas(p, tenantId, overrides, ctx) {
      requirePlatformAdmin(p);
      const row = await load(tenantId);
      const current = JSON.parse(row.quota_overrides) as Record<string, number>;
      for (const [metric, value] of Object.entries(overrides)) {
        if (!isMetric(metric)) {
          throw new SalescastError('INVALID_ARGUMENT', `Unknown quota '${metric}'.`, { field: metric });
        }
        if (value === null || value === undefined) delete current[metric];
        else if (!Number.isSafeInteger(value) || value < 0) {
          throw new SalescastError('INVALID_ARGUMENT', `Quota '${metric}' must be a non-negative integer.`, {
            field: metric,
          });
        } else current[metric] = value;
      }
      const view = await store.withTenant(tenantId, async (r) => {
        await r.tenant.update({ quota_overrides: JSON.stringify(current) });
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'settings.quotas',
            target: `tenant:${tenantId}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { overrides: current },
          },
          now(),
        );
        return toTenantView((await r.tenant.get())!);
      });
      deps.onAccessChange?.(tenantId);
      return view;
    },
  };
}
