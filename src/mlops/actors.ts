/**
 * Who drives a jobs/schedules/monitoring call: an API caller (permission-checked) or the system
 * actor of the registry (`system:cli` on the server's machine, `system:job:<id>` in a job), which
 * is trusted. Same rule as the registry service's own private `authorize`.
 */
import type { Permission } from '../platform/permissions.js';
import { actorOf, requirePermission } from '../platform/principal.js';
import type { Actor } from './registry-service.js';

export function authorizeActor(by: Actor, permission: Permission): void {
  if (by.kind !== 'system') requirePermission(by, permission);
}

/** The audit `actor` of `by`: `user:<id>`, `api_key:<id>` or `system:<id>`. */
export function actorLabel(by: Actor): string {
  return by.kind === 'system' ? `system:${by.id}` : actorOf(by);
}
