/**
 * Prometheus metrics at /metrics: process defaults, request counts and durations per route, the
 * prediction cache's hits and misses per level with its hit ratio, and the batch forecast threads.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ForecastWorkerStats } from '../../realtime/forecast-workers.js';
import type { CacheStats } from '../../realtime/prediction-cache.js';

export interface MetricsOptions {
  readonly cacheStats?: () => CacheStats;
  readonly forecastWorkerStats?: () => ForecastWorkerStats;
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions): Promise<void> {
  // One registry per server, so several servers in one process (tests) do not collide.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'salescast_' });
  const requests = new Counter({
    name: 'salescast_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'salescast_http_request_duration_seconds',
    help: 'HTTP request duration by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { cacheStats } = opts;
  if (cacheStats) {
    // Read from the cache's own counters at scrape time, so serving pays nothing for metrics.
    new Counter({
      name: 'salescast_prediction_cache_requests_total',
      help: 'Prediction cache lookups by level (l1 memory, l2 Redis) and result (hit, miss).',
      labelNames: ['level', 'result'],
      registers: [registry],
      collect() {
        const s = cacheStats();
        this.reset();
        this.inc({ level: 'l1', result: 'hit' }, s.l1_hits);
        this.inc({ level: 'l1', result: 'miss' }, s.l1_misses);
        this.inc({ level: 'l2', result: 'hit' }, s.l2_hits);
        this.inc({ level: 'l2', result: 'miss' }, s.l2_misses);
      },
    });
    new Gauge({
      name: 'salescast_prediction_cache_hit_ratio',
      help: 'Share of forecast requests answered from the prediction cache (either level) since start.',
      registers: [registry],
      collect() {
        const s = cacheStats();
        const lookups = s.l1_hits + s.l1_misses;
        this.set(lookups > 0 ? (s.l1_hits + s.l2_hits) / lookups : 0);
      },
    });
  }
  const { forecastWorkerStats } = opts;
  if (forecastWorkerStats) {
    new Gauge({
      name: 'salescast_forecast_worker_threads',
      help: 'Worker threads running for batch forecasts.',
      registers: [registry],
      collect() {
        this.set(forecastWorkerStats().threads);
      },
    });
    new Gauge({
      name: 'salescast_forecast_worker_chunks_in_flight',
      help: 'Batch chunks sent to the forecast threads and not yet answered.',
      registers: [registry],
      collect() {
        this.set(forecastWorkerStats().inFlight);
      },
    });
    new Counter({
      name: 'salescast_forecast_worker_chunks_total',
      help: 'Batch chunks the forecast threads have forecast since start.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(forecastWorkerStats().completed);
      },
    });
  }
  // Callback style, as it runs on every response.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

export const metrics = fp(metricsPlugin, { name: 'salescast-metrics' });
