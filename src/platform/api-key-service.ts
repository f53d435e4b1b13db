/**
 * API keys: belong to a tenant, carry one role, are shown once at creation and stored only as a
 * SHA-256 hash (the key holds 256 random bits, so a fast hash is enough), and can be revoked.
 * Format: `sck_<8-char prefix>_<secret>`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SalescastError } from '../core/errors.js';
import type { ApiKeyRow } from '../store/repositories/api-keys.js';
import type { Store } from '../store/store.js';
import { appendAudit } from './audit-service.js';
import { sha256Hex } from './canonical-json.js';
import { isRole, type Role } from './permissions.js';
import { actorOf, type Principal, type RequestContext, requirePermission } from './principal.js';

export const API_KEY_PREFIX = 'sck_';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ApiKeyService {
  /** Returns the key itself once; it is not stored. */
  create(
    p: Principal,
    input: { name: string; role: string },
    ctx: RequestContext,
  ): Promise<ApiKeyView & { key: string }>;
  list(p: Principal): Promise<ApiKeyView[]>;
  revoke(p: Principal, id: string, ctx: RequestContext): Promise<void>;
}

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

function toView(r: ApiKeyRow): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    prefix: r.prefix,
    created_at: r.created_at,
    revoked_at: r.revoked_at,
  };
}

export function createApiKeyService(deps: {
  store: Store;
  /** Called after a revocation commits (drops cached principals of the tenant). */
  onAccessChange?: (tenantId: string) => void;
  now?: () => Date;
}): ApiKeyService {
  const now = deps.now ?? (() => new Date());
  return {
    async create(p, input, ctx) {
      requirePermission(p, 'api-keys:manage');
      const name = input.name.trim();
      if (name.length < 1 || name.length > 100) {
        throw new SalescastError('INVALID_ARGUMENT', 'An API key name must have 1 to 100 characters.', {
          field: 'name',
        });
      }
      if (!isRole(input.role)) {
        throw new SalescastError('INVALID_ARGUMENT', `role must be admin, manager, analyst or viewer.`, {
          field: 'role',
        });
      }
      const prefix = randomBytes(6).toString('base64url');
      const key = `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}`;
      const row: Omit<ApiKeyRow, 'tenant_id'> = {
        id: randomUUID(),
        name,
        role: input.role,
        key_hash: hashApiKey(key),
        prefix: `${API_KEY_PREFIX}${prefix}`,
        created_by: actorOf(p),
        created_at: now().toISOString(),
        revoked_at: null,
      };
      await deps.store.withTenant(p.tenantId, async (r) => {
        await r.apiKeys.insert(row);
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'api_key.create',
            target: `api_key:${row.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { name, role: input.role },
          },
          now(),
        );
      });
      return { ...toView({ ...row, tenant_id: p.tenantId }), key };
    },
    async list(p) {
      requirePermission(p, 'api-keys:manage');
      return (await deps.store.withTenant(p.tenantId, (r) => r.apiKeys.list())).map(toView);
    },
    async revoke(p, id, ctx) {
      requirePermission(p, 'api-keys:manage');
      await deps.store.withTenant(p.tenantId, async (r) => {
        if (!(await r.apiKeys.get(id))) throw new SalescastError('NOT_FOUND', `No API key '${id}'.`);
        await r.apiKeys.revoke(id);
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'api_key.revoke',
            target: `api_key:${id}`,
            outcome: 'success',
            requestId: ctx.requestId,
          },
          now(),
        );
      });
      deps.onAccessChange?.(p.tenantId);
    },
  };
}
