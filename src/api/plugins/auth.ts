/**
 * Resolves `Authorization: Bearer <access token | API key>` into a principal on every request,
 * before rate limiting (which keys on it). A route that needs a caller calls `principalOf`,
 * which throws the resolution error (expired, revoked, suspended) or UNAUTHENTICATED.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SalescastError } from '../../core/errors.js';
import type { Platform } from '../../platform/platform.js';
import type { Principal, RequestContext } from '../../platform/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authError: SalescastError | null;
  }
  interface FastifyContextConfig {
    /** The route takes no credentials (login, refresh). Every other /v1 route needs a caller. */
    public?: boolean;
  }
}

const BEARER = /^Bearer\s+(\S{1,4096})$/i;

async function authPlugin(app: FastifyInstance, opts: { platform: Platform }): Promise<void> {
  app.decorateRequest('principal', null);
  app.decorateRequest('authError', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const m = BEARER.exec(header);
    if (!m) {
      request.authError = new SalescastError(
        'UNAUTHENTICATED',
        'Authorization must be "Bearer <token or API key>".',
      );
      return;
    }
    try {
      request.principal = await opts.platform.auth.authenticate(m[1]);
    } catch (e) {
      if (!(e instanceof SalescastError)) throw e;
      request.authError = e;
    }
  });
}

export const auth = fp(authPlugin, { name: 'salescast-auth' });

/** The authenticated caller of a request; throws when there is none. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal) return request.principal;
  throw (
    request.authError ??
    new SalescastError('UNAUTHENTICATED', 'This route needs Authorization: Bearer <token>.')
  );
}

/** Request id and client address, as the services take them. */
export function contextOf(request: FastifyRequest): RequestContext {
  return { requestId: request.id, ip: request.ip };
}
