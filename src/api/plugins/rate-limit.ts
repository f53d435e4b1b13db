/**
 * Per-client rate limiting: the client is the API key, else the user, else the address. The limit
 * is the plan's requests per minute (1000 by default). Over it, the answer is 429 with Retry-After
 * and the draft-standard RateLimit-* headers. With Redis, every API process shares the counts.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SalescastError } from '../../core/errors.js';
import { PLANS } from '../../platform/plans.js';
import type { Platform } from '../../platform/platform.js';

/** Requests per window for a caller without a plan (unauthenticated, by address). */
export const DEFAULT_RATE_LIMIT = 1000;

async function rateLimitPlugin(app: FastifyInstance, opts: { platform: Platform }): Promise<void> {
  const { config, redis } = opts.platform;
  await app.register(rateLimit, {
    global: true,
    timeWindow: config.rateLimitWindowMs,
    max: async (request) =>
      config.rateLimitPerMinute ??
      (request.principal ? PLANS[request.principal.plan].rateLimitPerMinute : DEFAULT_RATE_LIMIT),
    keyGenerator: (request) =>
      request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`,
    enableDraftSpec: true,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}ratelimit:` } : {}),
    errorResponseBuilder: (_request, ctx) =>
      new SalescastError(
        'RATE_LIMITED',
        `Rate limit of ${ctx.max} requests per ${ctx.after} exceeded for this client; see Retry-After.`,
      ),
  });
}

export const rateLimiting = fp(rateLimitPlugin, {
  name: 'salescast-rate-limit',
  dependencies: ['salescast-auth'],
});
