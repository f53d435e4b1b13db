/**
 * The single error handler: every error leaves as application/problem+json with a registry code
 * and the request id; 5xx are logged with their stack, which never reaches the client.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SalescastError } from '../../core/errors.js';
import { PROBLEM_CONTENT_TYPE, problemOf, toSalescastError } from '../problem.js';

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    const e = toSalescastError(error);
    if (e.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: e.code }, e.message);
    const retry = e.details?.retryAfterSeconds;
    if (typeof retry === 'number') reply.header('retry-after', String(retry));
    return reply
      .status(e.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problemOf(e, request.url.split('?')[0], request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new SalescastError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply
      .status(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problemOf(e, request.url.split('?')[0], request.id));
  });
}

export const errors = fp(errorsPlugin, { name: 'salescast-errors' });
