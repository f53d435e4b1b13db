/** Users of a tenant: created and managed by its admins, with one role each. */
import { randomUUID } from 'node:crypto';
import { SalescastError } from '../core/errors.js';
import type { UserRow } from '../store/repositories/users.js';
import type { Store } from '../store/store.js';
import { appendAudit } from './audit-service.js';
import { normalizeEmail } from './email.js';
import { type Argon2Params, checkPasswordPolicy, hashPassword } from './passwords.js';
import { isRole, type Role } from './permissions.js';
import { actorOf, type Principal, type RequestContext, requirePermission } from './principal.js';

export interface UserView {
  id: string;
  email: string;
  role: Role;
  status: 'active' | 'disabled';
  created_at: string;
}

export interface CreateUserInput {
  email: string;
  password: string;
  role: string;
}

export interface UserService {
  create(p: Principal, input: CreateUserInput, ctx: RequestContext): Promise<UserView>;
  /** Creates a user from the CLI on the server's machine (no principal; audited as system). */
  createAsSystem(tenantId: string, input: CreateUserInput & { platformAdmin?: boolean }): Promise<UserView>;
  list(p: Principal): Promise<UserView[]>;
  get(p: Principal, id: string): Promise<UserView>;
  update(
    p: Principal,
    id: string,
    patch: { role?: string; status?: 'active' | 'disabled' },
    ctx: RequestContext,
  ): Promise<UserView>;
}

function toView(u: UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role as Role,
    status: u.status as UserView['status'],
    created_at: u.created_at,
  };
}

function checkRole(role: string): Role {
  if (!isRole(role)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `role must be admin, manager, analyst or viewer; got '${role}'.`,
      {
        field: 'role',
      },
    );
  }
  return role;
}

export function createUserService(deps: {
  store: Store;
  argon2: Argon2Params;
  /** Called after a role or status change commits (drops cached principals of the tenant). */
  onAccessChange?: (tenantId: string) => void;
  now?: () => Date;
}): UserService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const insert = async (
    tenantId: string,
    input: CreateUserInput & { platformAdmin?: boolean },
    actor: string,
    requestId: string,
  ): Promise<UserView> => {
    const email = normalizeEmail(input.email);
    const role = checkRole(input.role);
    checkPasswordPolicy(input.password);
    if (!(await store.system.getTenant(tenantId))) {
      throw new SalescastError('NOT_FOUND', `No tenant '${tenantId}'.`, { field: 'tenant' });
    }
    if (await store.system.findUserByEmail(email)) {
      throw new SalescastError('CONFLICT', `A user with email '${email}' already exists.`, {
        field: 'email',
      });
    }
    const passwordHash = await hashPassword(input.password, deps.argon2);
    const at = now().toISOString();
    const row: Omit<UserRow, 'tenant_id'> = {
      id: randomUUID(),
      email,
      password_hash: passwordHash,
      role,
      platform_admin: input.platformAdmin ? 1 : 0,
      status: 'active',
      created_at: at,
      updated_at: at,
    };
    try {
      await store.withTenant(tenantId, async (r) => {
        await r.users.insert(row);
        await appendAudit(
          r,
          {
            actor,
            action: 'user.create',
            target: `user:${row.id}`,
            outcome: 'success',
            requestId,
            details: { email, role, platform_admin: Boolean(input.platformAdmin) },
          },
          now(),
        );
      });
    } catch (e) {
      // Two concurrent creates of one email: the unique index lets one win.
      if (await store.system.findUserByEmail(email)) {
        throw new SalescastError('CONFLICT', `A user with email '${email}' already exists.`, {
          field: 'email',
        });
      }
      throw e;
    }
    return toView({ ...row, tenant_id: tenantId });
  };

  return {
    async create(p, input, ctx) {
      requirePermission(p, 'users:manage');
      return insert(p.tenantId, input, actorOf(p), ctx.requestId);
    },
    createAsSystem: (tenantId, input) => insert(tenantId, input, 'system:cli', 'cli'),
    async list(p) {
      requirePermission(p, 'users:manage');
      return (await store.withTenant(p.tenantId, (r) => r.users.list())).map(toView);
    },
    async get(p, id) {
      if (!(p.kind === 'user' && p.id === id)) requirePermission(p, 'users:manage');
      const row = await store.withTenant(p.tenantId, (r) => r.users.get(id));
      if (!row) throw new SalescastError('NOT_FOUND', `No user '${id}'.`);
      return toView(row);
    },
    async update(p, id, patch, ctx) {
      requirePermission(p, 'users:manage');
      const role = patch.role === undefined ? undefined : checkRole(patch.role);
      if (p.kind === 'user' && p.id === id) {
        throw new SalescastError('CONFLICT', 'You cannot change your own role or status; ask another admin.');
      }
      const updated = await store.withTenant(p.tenantId, async (r) => {
        const before = await r.users.get(id);
        if (!before) throw new SalescastError('NOT_FOUND', `No user '${id}'.`);
        await r.users.update(id, {
          ...(role !== undefined ? { role } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
        });
        // A role change or a disable takes effect now: the user logs in again.
        await r.sessions.revokeAllOfUser(id);
        await appendAudit(
          r,
          {
            actor: actorOf(p),
            action: 'user.update',
            target: `user:${id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { from: { role: before.role, status: before.status }, to: { ...patch } },
          },
          now(),
        );
        return toView((await r.users.get(id))!);
      });
      deps.onAccessChange?.(p.tenantId);
      return updated;
    },
  };
}
