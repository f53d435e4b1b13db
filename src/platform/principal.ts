/** Who is calling, and from where: passed from transport to every service call. */
import { SalescastError } from '../core/errors.js';
import { can, type Permission, type Role } from './permissions.js';
import type { PlanName } from './plans.js';

export interface Principal {
  readonly kind: 'user' | 'api_key';
  /** User id or API key id. */
  readonly id: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly plan: PlanName;
  /** A platform super-admin may create, list and suspend tenants. */
  readonly platformAdmin: boolean;
  /** The login session behind an access token (users only). */
  readonly sessionId?: string;
}

export interface RequestContext {
  readonly requestId: string;
  /** Client address. */
  readonly ip: string;
}

/** The audit `actor` of a principal: `user:<id>` or `api_key:<id>`. */
export function actorOf(p: Principal): string {
  return `${p.kind}:${p.id}`;
}

/** Throws `FORBIDDEN` unless the principal's role has the permission. */
export function requirePermission(p: Principal, permission: Permission): void {
  if (!can(p.role, permission)) {
    throw new SalescastError(
      'FORBIDDEN',
      `The role '${p.role}' does not have the permission '${permission}'.`,
    );
  }
}

export function requirePlatformAdmin(p: Principal): void {
  if (!p.platformAdmin || p.kind !== 'user') {
    throw new SalescastError('FORBIDDEN', 'Only a platform super-admin may manage tenants.');
  }
}
