/**
 * A short-lived, bounded cache of verified principals, keyed by credential, so that a burst of
 * requests with one API key or access token pays the credential's database lookups once per TTL
 * instead of once per request.
 *
 * Staleness: this process drops a tenant's entries the moment it changes anything a principal
 * depends on (API key revoked, user role or status changed, session ended, tenant suspended);
 * another process sees such a change after at most the TTL (docs/SECURITY.md).
 */
import { TtlLru } from '../core/ttl-lru.js';
import type { Principal } from './principal.js';

export interface PrincipalCache {
  /** The cached principal for `credential`, if it is younger than the TTL and not expired. */
  get(credential: string): Principal | undefined;
  /**
   * Remembers `principal` until `expiresAtMs` or the TTL, whichever comes first, unless the
   * tenant was invalidated since `epoch` (taken with `epoch()` before the lookup began): a lookup
   * that raced a revocation must not cache what it read before the revocation committed.
   */
  set(credential: string, principal: Principal, epoch: number, expiresAtMs?: number): void;
  /** The invalidation counter, read before a lookup starts. */
  epoch(): number;
  /** Drops every entry of the tenant (call after the change has committed). */
  dropTenant(tenantId: string): void;
  readonly size: number;
}

/** Default TTL: long enough to absorb request bursts, short enough to bound cross-process staleness. */
export const PRINCIPAL_TTL_MS = 5_000;

export function createPrincipalCache(
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): PrincipalCache {
  const ttl = options.ttlMs ?? PRINCIPAL_TTL_MS;
  const max = options.maxEntries ?? 10_000;
  const entries = new TtlLru<Principal>(Math.max(1, max), ttl, options.now);
  let epoch = 0;
  return {
    get: (credential) => entries.get(credential),
    set(credential, principal, at, expiresAtMs) {
      if (ttl <= 0 || max <= 0 || at !== epoch) return;
      entries.set(credential, principal, expiresAtMs);
    },
    epoch: () => epoch,
    dropTenant(tenantId) {
      epoch += 1;
      entries.deleteWhere((principal) => principal.tenantId === tenantId);
    },
    get size() {
      return entries.size;
    },
  };
}
