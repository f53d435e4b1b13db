/**
 * The HTTP API. `buildServer` returns the Fastify app without listening, so tests drive it with
 * `app.inject()` and `salescast serve` calls `listen`. Shared infrastructure (errors, auth, rate
 * limits, metrics, OpenAPI) is registered here; each route plugin owns its schemas.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import { CODE_VERSION } from '../core/config.js';
import { SalescastError } from '../core/errors.js';
import type { Platform } from '../platform/platform.js';
import { createRealtime, type Realtime } from '../realtime/realtime.js';
import { auth, principalOf } from './plugins/auth.js';
import { errors } from './plugins/errors.js';
import { metrics } from './plugins/metrics.js';
import { rateLimiting } from './plugins/rate-limit.js';
import { PROBLEM_CONTENT_TYPE, ProblemSchema, problemOf } from './problem.js';
import { alertRoutes } from './routes/alerts.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { datasetRoutes } from './routes/datasets.js';
import { decisionRoutes } from './routes/decisions.js';
import { explainRoutes } from './routes/explain.js';
import { forecastRoutes } from './routes/forecast.js';
import { healthRoutes } from './routes/health.js';
import { invoiceRoutes } from './routes/invoices.js';
import { jobRoutes } from './routes/jobs.js';
import { modelRoutes } from './routes/models.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { reportRoutes } from './routes/reports.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import { streamRoutes } from './routes/stream.js';
import { tenantRoutes } from './routes/tenants.js';
import { usageRoutes } from './routes/usage.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { PAGE_SECURITY_HEADERS, SECURITY_HEADERS } from './security-headers.js';

export interface ServerDeps {
  platform: Platform;
  /** pino options (or false to log nothing, as tests do). */
  logger?: FastifyServerOptions['logger'];
  /** An existing pino logger instead. */
  loggerInstance?: FastifyBaseLogger;
  /** Trust X-Forwarded-For from a proxy in front (env SALESCAST_TRUST_PROXY=1). */
  trustProxy?: boolean;
  /** Real-time services; by default built from the platform and closed with the server. */
  realtime?: Realtime;
}

/** Log redaction: credentials never reach the log, whatever the level. */
export const LOG_REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-api-key"]',
    'password',
    '*.password',
    '*.admin_password',
    '*.refresh_token',
    '*.access_token',
  ],
  censor: '[redacted]',
};

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The Fastify app with every route; call `listen` to serve, `close` to stop. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // A client's X-Request-Id is kept when it is a plain token, so logs can be joined across hops.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // What Fastify refuses before routing (a malformed URL encoding) leaves as problem+json too.
    frameworkErrors: (error, request, frameworkReply) => {
      const e = new SalescastError('USAGE', error.message);
      const path = request.url.split('?')[0];
      // Typed for no route in particular: the generic reply's status and body types are open.
      (frameworkReply as unknown as FastifyReply)
        .status(e.status)
        .header('x-request-id', request.id)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problemOf(e, path, request.id));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A JSON body says what it means: "3" is not the integer 3, nor true the number 1. Query strings,
  // path parameters and headers are text, so their numbers and booleans are read from it.
  const validators = { body: requestValidator(false), text: requestValidator('array') };
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.text).compile(schema),
  );

  // Once closing, every response ends its connection, so a keep-alive client cannot hold the
  // server open after its in-flight request finished (close would wait for it forever).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback style: every response runs this hook, and an async one costs a promise per request.
  const securityHeaders = Object.entries(SECURITY_HEADERS);
  const pageSecurityHeaders = Object.entries(PAGE_SECURITY_HEADERS);
  const setAbsent = (reply: FastifyReply, headers: [string, string][]) => {
    // After the handler, so a route that sets one of these headers itself keeps its own value.
    for (const [name, value] of headers) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
  };
  app.addHook('onSend', (request, reply, payload, done) => {
    setAbsent(reply, securityHeaders);
    if (String(reply.getHeader('content-type')).startsWith('text/html'))
      setAbsent(reply, pageSecurityHeaders);
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  // The API takes JSON and multipart only; a text body is refused with 415, not parsed.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ProblemSchema);
  // Every documented route answers errors as problem+json; say so once, for all of them.
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const problem = {
      description: 'application/problem+json error',
      content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
    };
    route.schema.response = { ...(route.schema.response as object), '4xx': problem, '5xx': problem };
  });
  await app.register(errors);
  await app.register(swagger, {
    // Shared schemas keep their $id as their OpenAPI name (e.g. components.schemas.Problem).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'salescast API',
        version: CODE_VERSION,
        description:
          'Multi-tenant sales forecasting. Errors are application/problem+json with a stable code.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access token or API key' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(auth, { platform: deps.platform });
  const realtime =
    deps.realtime ??
    (await createRealtime(deps.platform, {
      onError: (message, error) => app.log.error({ err: error }, message),
    }));
  if (!deps.realtime) app.addHook('onClose', () => realtime.close());
  await app.register(metrics, {
    cacheStats: () => realtime.forecasts.cacheStats,
    forecastWorkerStats: () => realtime.workers.stats(),
    streamCounts: () => realtime.stream.counts,
    alertCounts: () => realtime.alerts.counts,
    servedVersions: () => realtime.serving.size,
  });
  await app.register(rateLimiting, { platform: deps.platform });
  // A refused attempt to change state is itself an audit event (outcome 'denied').
  app.addHook('onError', async (request, _reply, error) => {
    const p = request.principal;
    if (!p || request.method === 'GET' || (error as { code?: string }).code !== 'FORBIDDEN') return;
    const action = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    await deps.platform.audit
      .denied(p, { requestId: request.id, ip: request.ip }, action, request.url.split('?')[0])
      .catch((e: unknown) => request.log.error({ err: e }, 'could not record a denied action'));
  });

  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
  await app.register(healthRoutes, { platform: deps.platform });
  await app.register(
    async (v1) => {
      // Callers are checked before their input is: a request without valid credentials is 401
      // whatever its body. Then every authenticated call counts against the monthly API-call quota.
      v1.addHook('preValidation', async (request) => {
        if (request.routeOptions.config.public) return;
        const p = principalOf(request);
        await deps.platform.usage.countApiCall(p.tenantId);
      });
      await v1.register(authRoutes, { platform: deps.platform });
      await v1.register(tenantRoutes, { platform: deps.platform });
      await v1.register(userRoutes, { platform: deps.platform });
      await v1.register(apiKeyRoutes, { platform: deps.platform });
      await v1.register(datasetRoutes, { platform: deps.platform });
      await v1.register(usageRoutes, { platform: deps.platform });
      await v1.register(invoiceRoutes, { platform: deps.platform });
      await v1.register(auditRoutes, { platform: deps.platform });
      await v1.register(decisionRoutes, { platform: deps.platform });
      await v1.register(runRoutes, { platform: deps.platform });
      await v1.register(modelRoutes, { platform: deps.platform });
      await v1.register(jobRoutes, { platform: deps.platform });
      await v1.register(scheduleRoutes, { platform: deps.platform });
      await v1.register(monitoringRoutes, { platform: deps.platform });
      await v1.register(explainRoutes, { platform: deps.platform });
      await v1.register(reportRoutes, { platform: deps.platform });
      await v1.register(forecastRoutes, { realtime });
      await v1.register(streamRoutes, { realtime });
      await v1.register(alertRoutes, { realtime });
      await v1.register(webhookRoutes, { realtime });
    },
    { prefix: '/v1' },
  );
  return app;
}

/** An Ajv instance for one kind of request part, with the formats the route schemas use. */
function requestValidator(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes, allErrors: false });
  // ajv-formats is CommonJS: its plugin is the module's default export.
  (formats as unknown as { default: (a: Ajv) => Ajv }).default(ajv);
  return ajv;
}
