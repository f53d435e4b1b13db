/**
 * Authentication: password login (throttled), sessions with a short-lived JWT access token and a
 * rotating opaque refresh token, logout, and resolving a bearer credential (access token or API
 * key) into a principal. A session id rides in every access token and is checked against the
 * sessions table; the resolved principal is then cached for a few seconds (`PrincipalCache`), and
 * every change that could revoke it drops the tenant's entries in this process at once, so logout
 * and revocation take effect immediately here and within the cache TTL in other processes.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { SalescastError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { hashApiKey, isApiKey } from './api-key-service.js';
import { appendAudit } from './audit-service.js';
import { sha256Hex } from './canonical-json.js';
import type { LoginThrottle } from './login-throttle.js';
import { type Argon2Params, hashPassword, verifyPassword } from './passwords.js';
import { isRole } from './permissions.js';
import type { PlanName } from './plans.js';
import type { Principal, RequestContext } from './principal.js';
import type { PrincipalCache } from './principal-cache.js';
import { randomSecret, signAccessToken, verifyAccessToken } from './tokens.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
}

export interface AuthService {
  login(email: string, password: string, ctx: RequestContext): Promise<TokenPair>;
  refresh(refreshToken: string, ctx: RequestContext): Promise<TokenPair>;
  logout(p: Principal, ctx: RequestContext): Promise<void>;
  /** The principal behind a bearer credential; throws UNAUTHENTICATED or TENANT_SUSPENDED. */
  authenticate(bearer: string): Promise<Principal>;
}

export interface AuthDeps {
  store: Store;
  secret: Uint8Array;
  throttle: LoginThrottle;
  argon2: Argon2Params;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Verified principals by credential hash; shared with the services that revoke access. */
  principals: PrincipalCache;
  now?: () => Date;
}

const unauthenticated = (why: string) => new SalescastError('UNAUTHENTICATED', why);
const BAD_LOGIN = 'Wrong email or password.';

/** Refresh tokens are `<tenantId>.<sessionId>.<secret>`: the ids locate the row, the secret proves it. */
function parseRefreshToken(
  token: string,
): { tenantId: string; sessionId: string; secret: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((x) => x.length === 0 || x.length > 100)) return undefined;
  return { tenantId: parts[0], sessionId: parts[1], secret: parts[2] };
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function createAuthService(deps: AuthDeps): AuthService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;
  // Unknown emails still pay one argon2 verify, so timing does not tell which emails exist.
  const dummyHash = hashPassword(randomSecret(), deps.argon2);

  const issue = async (
    tenantId: string,
    userId: string,
    sessionId: string,
    secret: string,
  ): Promise<TokenPair> => ({
    access_token: await signAccessToken(
      { sub: userId, tid: tenantId, sid: sessionId },
      deps.secret,
      deps.accessTokenTtlSeconds,
    ),
    refresh_token: `${tenantId}.${sessionId}.${secret}`,
    token_type: 'Bearer',
    expires_in: deps.accessTokenTtlSeconds,
  });
  const refreshExpiry = () => new Date(now().getTime() + deps.refreshTokenTtlSeconds * 1000).toISOString();

  return {
    async login(rawEmail, password, ctx) {
      const email = rawEmail.trim().toLowerCase();
      await deps.throttle.check(email, ctx.ip);
      const user = await store.system.findUserByEmail(email);
      const valid = await verifyPassword(user?.password_hash ?? (await dummyHash), password);
      if (!user || !valid || user.status !== 'active') {
        await deps.throttle.recordFailure(email, ctx.ip);
        if (user) {
          await store.withTenant(user.tenant_id, (r) =>
            appendAudit(
              r,
              {
                actor: `user:${user.id}`,
                action: 'auth.login',
                target: `user:${user.id}`,
                outcome: 'failure',
                requestId: ctx.requestId,
                details: { ip: ctx.ip, reason: valid ? 'user disabled' : 'wrong password' },
              },
              now(),
            ),
          );
        }
        throw unauthenticated(BAD_LOGIN);
      }
      const tenant = await store.system.getTenant(user.tenant_id);
      if (tenant?.status !== 'active') {
        throw new SalescastError('TENANT_SUSPENDED', 'This tenant is suspended.');
      }
      await deps.throttle.recordSuccess(email);
      const sessionId = randomUUID();
      const secret = randomSecret();
      await store.withTenant(user.tenant_id, async (r) => {
        await r.sessions.insert({
          id: sessionId,
          user_id: user.id,
          refresh_hash: sha256Hex(secret),
          created_at: now().toISOString(),
          expires_at: refreshExpiry(),
          revoked_at: null,
          refreshed_at: null,
        });
        await appendAudit(
          r,
          {
            actor: `user:${user.id}`,
            action: 'auth.login',
            target: `user:${user.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { ip: ctx.ip, session: sessionId },
          },
          now(),
        );
      });
      return issue(user.tenant_id, user.id, sessionId, secret);
    },

    async refresh(token, ctx) {
      const parsed = parseRefreshToken(token);
      if (!parsed || !(await store.system.getTenant(parsed.tenantId).catch(() => undefined))) {
        throw unauthenticated('Invalid refresh token.');
      }
      const secret = randomSecret();
      const result = await store.withTenant(parsed.tenantId, async (r) => {
        const s = await r.sessions.get(parsed.sessionId);
        if (!s || s.revoked_at !== null || s.expires_at <= now().toISOString()) return 'invalid' as const;
        if (!sameHash(s.refresh_hash, sha256Hex(parsed.secret))) {
          // A superseded refresh token came back: it may be stolen, so end the whole session.
          await r.sessions.revoke(s.id);
          await appendAudit(
            r,
            {
              actor: `user:${s.user_id}`,
              action: 'auth.refresh',
              target: `session:${s.id}`,
              outcome: 'failure',
              requestId: ctx.requestId,
              details: { reason: 'refresh token reused; session revoked' },
            },
            now(),
          );
          return 'reused' as const;
        }
        const user = await r.users.get(s.user_id);
        if (user?.status !== 'active') return 'invalid' as const;
        const rotated = await r.sessions.rotate(s.id, s.refresh_hash, sha256Hex(secret), refreshExpiry());
        return rotated ? { userId: s.user_id } : ('invalid' as const);
      });
      if (result === 'reused') deps.principals.dropTenant(parsed.tenantId);
      if (typeof result === 'string') throw unauthenticated('Invalid, expired or revoked refresh token.');
      const tenant = await store.system.getTenant(parsed.tenantId);
      if (tenant?.status !== 'active')
        throw new SalescastError('TENANT_SUSPENDED', 'This tenant is suspended.');
      return issue(parsed.tenantId, result.userId, parsed.sessionId, secret);
    },

    async logout(p, ctx) {
      if (p.kind !== 'user' || !p.sessionId) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          'Logout ends a login session; API keys are revoked instead.',
        );
      }
      const sessionId = p.sessionId;
      await store.withTenant(p.tenantId, async (r) => {
        await r.sessions.revoke(sessionId);
        await appendAudit(
          r,
          {
            actor: `user:${p.id}`,
            action: 'auth.logout',
            target: `session:${sessionId}`,
            outcome: 'success',
            requestId: ctx.requestId,
          },
          now(),
        );
      });
      deps.principals.dropTenant(p.tenantId);
    },

    async authenticate(bearer) {
      // Keyed by hash, so no credential is kept in memory longer than its request.
      const credential = hashApiKey(bearer);
      const cached = deps.principals.get(credential);
      if (cached) return cached;
      const epoch = deps.principals.epoch();
      const { principal, expiresAtMs } = await resolve(bearer, credential);
      deps.principals.set(credential, principal, epoch, expiresAtMs);
      return principal;
    },
  };

  /**
   * The principal behind `bearer` (whose SHA-256 is `keyHash`), read from the database, with the
   * credential's own expiry (access tokens) in milliseconds since the epoch.
   */
  async function resolve(
    bearer: string,
    keyHash: string,
  ): Promise<{ principal: Principal; expiresAtMs?: number }> {
    if (isApiKey(bearer)) {
      const key = await store.system.findApiKeyByHash(keyHash);
      if (!key || key.revoked_at !== null || !isRole(key.role))
        throw unauthenticated('Invalid or revoked API key.');
      const tenant = await store.system.getTenant(key.tenant_id);
      if (!tenant) throw unauthenticated('Invalid or revoked API key.');
      if (tenant.status !== 'active')
        throw new SalescastError('TENANT_SUSPENDED', 'This tenant is suspended.');
      return {
        principal: {
          kind: 'api_key',
          id: key.id,
          tenantId: key.tenant_id,
          role: key.role,
          plan: tenant.plan as PlanName,
          platformAdmin: false,
        },
      };
    }
    const claims = await verifyAccessToken(bearer, deps.secret);
    if (!claims) throw unauthenticated('Invalid or expired access token.');
    const found = await store.withTenant(claims.tid, async (r) => {
      const [session, user, tenant] = [
        await r.sessions.get(claims.sid),
        await r.users.get(claims.sub),
        await r.tenant.get(),
      ];
      return { session, user, tenant };
    });
    const { session, user, tenant } = found;
    if (!session || session.revoked_at !== null || session.user_id !== claims.sub) {
      throw unauthenticated('This session has ended; log in again.');
    }
    if (user?.status !== 'active' || !isRole(user.role) || !tenant) {
      throw unauthenticated('This user cannot log in.');
    }
    if (tenant.status !== 'active') throw new SalescastError('TENANT_SUSPENDED', 'This tenant is suspended.');
    return {
      principal: {
        kind: 'user',
        id: user.id,
        tenantId: tenant.id,
        role: user.role,
        plan: tenant.plan as PlanName,
        platformAdmin: user.platform_admin === 1,
        sessionId: session.id,
      },
      expiresAtMs: claims.exp === undefined ? undefined : claims.exp * 1000,
    };
  }
}
