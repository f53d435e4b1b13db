/**
 * Wires the real-time services of a platform: serving registry (production model versions with
 * their online state), prediction cache, forecasts, streaming, anomaly detection and alerts. The
 * server builds it once and closes it on shutdown.
 */
import type { Platform } from '../platform/platform.js';
import { type AlertService, createAlertService } from './alert-service.js';
import type { AnomalyOptions } from './anomaly.js';
import { type BatchJobService, createBatchJobService } from './batch-job.js';
import { createForecastService, type ForecastService } from './forecast-service.js';
import { ForecastWorkers } from './forecast-workers.js';
import type { PredictionCacheOptions } from './prediction-cache.js';
import { localStatsBook } from './rolling-stats.js';
import { ServingRegistry } from './serving.js';
import { RedisBaselineStore } from './shared-baselines.js';
import { RedisStatsBook } from './shared-rolling-stats.js';
import { createStreamService, type StreamService } from './stream-service.js';
import type { RetryPolicy } from './webhook-delivery.js';

export interface Realtime {
  readonly serving: ServingRegistry;
  readonly forecasts: ForecastService;
  /** Batches run as durable jobs, and their results. */
  readonly batchJobs: BatchJobService;
  readonly stream: StreamService;
  readonly alerts: AlertService;
  /** The threads large batches are forecast on. */
  readonly workers: ForecastWorkers;
  close(): Promise<void>;
}

export interface RealtimeOptions {
  /** Detector settings; the threshold defaults to the platform's (`SALESCAST_ANOMALY_THRESHOLD`). */
  readonly anomaly?: AnomalyOptions;
  readonly cache?: Omit<PredictionCacheOptions, 'redis' | 'redisPrefix'>;
  readonly webhookRetry?: RetryPolicy;
  /** Rows (series × h) above which a batch forecast is refused; default MAX_BATCH_ROWS. */
  readonly batchMaxRows?: number;
  /** Run the Redis Streams consumer (when Redis is configured); default true. */
  readonly consumeRedisStream?: boolean;
  readonly onError?: (message: string, error: unknown) => void;
  /**
   * Threads for large batch forecasts. Default: the platform's (`platform.operations.forecastWorkers()`,
   * shared with batch jobs); given this or a program, the service starts and stops its own.
   */
  readonly forecastWorkers?: number;
  /** The threads' program; tests running from TypeScript sources point at the compiled one. */
  readonly forecastWorkerScript?: URL;
}

export async function createRealtime(platform: Platform, options: RealtimeOptions = {}): Promise<Realtime> {
  const { store, redis, config } = platform;
  const serving = new ServingRegistry(platform.productionModels, store, {
    // The platform's threshold unless the caller sets one; the caller's window and warm-up kept.
    anomaly: { threshold: config.anomalyThreshold, ...options.anomaly },
    // With Redis every process judges on the same baselines, whichever received the values.
    baselines: redis && new RedisBaselineStore(redis, config.redisPrefix),
  });
  const alerts = createAlertService({
    store,
    redis,
    redisPrefix: config.redisPrefix,
    retry: options.webhookRetry,
    onError: options.onError,
  });
  // The process's threads, which batch jobs use too, unless a caller (a test) asks for its own.
  const ownWorkers = options.forecastWorkers !== undefined || options.forecastWorkerScript !== undefined;
  const workers = ownWorkers
    ? new ForecastWorkers(options.forecastWorkers ?? config.forecastWorkers, options.forecastWorkerScript)
    : platform.operations.forecastWorkers();
  // With Redis the statistics are every API process's, else this process's.
  const stats = redis
    ? new RedisStatsBook({ redis, redisPrefix: config.redisPrefix, onError: options.onError })
    : localStatsBook();
  const forecasts = createForecastService({
    serving,
    usage: platform.usage,
    alerts,
    cache: { ...options.cache, redis, redisPrefix: config.redisPrefix },
    stats,
    batchMaxRows: options.batchMaxRows,
    workers,
    onError: options.onError,
  });
  const batchJobs = createBatchJobService({
    serving,
    jobs: platform.operations.jobs,
    dataDir: config.dataDir,
    resultDays: config.batchResultDays,
  });
  const stream = createStreamService({
    store,
    serving,
    forecasts,
    alerts,
    redis,
    redisPrefix: config.redisPrefix,
    onError: options.onError,
  });
  await stream.startSync();
  if (options.consumeRedisStream ?? true) await stream.startConsumer();
  // Batch jobs this process runs are judged by these detectors, which know each series' recent predictions.
  const stopJudgingBatches = platform.operations.judgeBatchesWith(forecasts.judgeBatch);
  return {
    serving,
    forecasts,
    batchJobs,
    stream,
    alerts,
    workers,
    async close() {
      stopJudgingBatches();
      await stream.close();
      await alerts.close();
      await stats.close();
      serving.close();
      // The platform's threads stop with the platform.
      if (ownWorkers) await workers.close();
    },
  };
}
