/** Liveness (/healthz: the process answers) and readiness (/readyz: the database answers). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SalescastError } from '../../core/errors.js';
import type { Platform } from '../../platform/platform.js';

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const opts = { config: { rateLimit: false as const } };
  app.get('/healthz', { ...opts, schema: { tags: ['health'], response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { ...opts, schema: { tags: ['health'], response: { 200: Status } } }, async () => {
    try {
      await platform.store.ping();
      if (platform.redis) await platform.redis.ping();
    } catch {
      throw new SalescastError('SERVICE_UNAVAILABLE', 'A dependency (database or Redis) is not reachable.');
    }
    return { status: 'ready' };
  });
};
