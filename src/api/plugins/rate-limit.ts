/**
 * Per-client rate limiting: the client is the API key, else the user, else the address. The limit
 * is the plan's requests per minute (1000 by default). Over it, the answer is 429 with Retry-After
 * and the draft-standard RateLimit-* headers. With Redis, every API process shares the counts.
 */
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SalescastError } from '../../core/errors.js';
import { TtlLru } from '../../core/ttl-lru.js';
import { PLANS } from '../../platform/plans.js';
import type { Platform } from '../../platform/platform.js';

/** Requests per window for a caller without a plan (unauthenticated, by address). */
export const DEFAULT_RATE_LIMIT = 1000;

/**
 * The in-memory counter store (fixed window per client, least recently used clients dropped past
 * `maxClients`). Hand-written instead of the plugin's LocalStore, which hands back its live
 * counter object and reads it after an await: a burst whose requests reach the limiter without
 * any I/O in between (credentials served from the principal cache) then sees the burst's final
 * count in every request, and all of them are refused (@fastify/rate-limit 11.2). The clients sit
 * in a `TtlLru`, so a request relinks its client instead of deleting and re-adding it in a Map,
 * whose bucket chains grow with every re-add of a busy key.
 */
export class SnapshotStore implements FastifyRateLimitStore {
  /** Clients tracked at most (the plugin's LocalStore default). */
  static readonly MAX_CLIENTS = 5000;
  // Windows end by their own start time, not by the cache's TTL.
  private readonly windows = new TtlLru<{ count: number; startMs: number }>(
    SnapshotStore.MAX_CLIENTS,
    Number.POSITIVE_INFINITY,
  );

  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
  ): void {
    const nowMs = Date.now();
    let w = this.windows.get(key);
    if (!w || w.startMs + timeWindow <= nowMs) {
      w = { count: 0, startMs: nowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    callback(null, { current: w.count, ttl: timeWindow - (nowMs - w.startMs) });
  }

  child(): FastifyRateLimitStore {
    return new SnapshotStore();
  }
}

async function rateLimitPlugin(app: FastifyInstance, opts: { platform: Platform }): Promise<void> {
  const { config, redis } = opts.platform;
  await app.register(rateLimit, {
    global: true,
    timeWindow: config.rateLimitWindowMs,
    max: (request) =>
      config.rateLimitPerMinute ??
      (request.principal ? PLANS[request.principal.plan].rateLimitPerMinute : DEFAULT_RATE_LIMIT),
    keyGenerator: (request) =>
      request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`,
    enableDraftSpec: true,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}ratelimit:` } : { store: SnapshotStore }),
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
