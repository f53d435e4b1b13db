/**
 * Rolling statistics shared by every API process through Redis, so that `GET /v1/alerts/stats`
 * answers for the tenant's whole traffic whichever process it reaches.
 *
 * Each process adds its events into per-second sums in memory (the forecast path only adds to a
 * few numbers) and writes them out once a second with HINCRBYFLOAT into two buckets: one per
 * second, kept 11 minutes, and one per minute, kept a day and two minutes. A summary first writes
 * this process's pending sums, then adds the buckets of its window: the last `seconds` whole
 * seconds up to SECOND_BUCKETS_UP_TO seconds, else whole minutes, the current one included. The
 * other processes' last second may not be written yet.
 */
import type { Redis } from 'ioredis';
import { type RollingStatsBook, type StatsRecorder, type WindowStats, windowStats } from './rolling-stats.js';

/** Windows up to this many seconds are summed from per-second buckets, longer ones from minutes. */
export const SECOND_BUCKETS_UP_TO = 600;

/** The longest window (`GET /v1/alerts/stats?window=`), which the minute buckets outlive. */
const LONGEST_WINDOW_S = 86_400;

/** How often pending sums are written out. */
const FLUSH_MS = 1000;

/** The sums kept per bucket, in this order; the names are the hash fields in Redis. */
const FIELDS = [
  'predictions',
  'rows',
  'actuals',
  'abs_error',
  'signed_error',
  'abs_actual',
  'anomalies',
] as const;
const PREDICTIONS = 0;
const ROWS = 1;
const ACTUALS = 2;
const ABS_ERROR = 3;
const SIGNED_ERROR = 4;
const ABS_ACTUAL = 5;
const ANOMALIES = 6;

/** One tenant's sums not yet written, per second. */
class PendingSums implements StatsRecorder {
  readonly bySecond = new Map<number, Float64Array>();
  private second = Number.NaN;
  private current: Float64Array = new Float64Array(FIELDS.length);

  constructor(private readonly now: () => number) {}

  prediction(rows: number): void {
    const sums = this.sums();
    sums[PREDICTIONS]++;
    sums[ROWS] += rows;
  }

  actual(actual: number, forecast: number): void {
    const error = forecast - actual;
    // A sum in Redis cannot hold NaN or ∞; such a pair says nothing about the error anyway.
    if (!Number.isFinite(error)) return;
    const sums = this.sums();
    sums[ACTUALS]++;
    sums[ABS_ERROR] += Math.abs(error);
    sums[SIGNED_ERROR] += error;
    sums[ABS_ACTUAL] += Math.abs(actual);
  }

  anomaly(): void {
    this.sums()[ANOMALIES]++;
  }

  /** Hands over what is pending and starts afresh. */
  take(): Map<number, Float64Array> {
    const taken = new Map(this.bySecond);
    this.bySecond.clear();
    this.second = Number.NaN;
    return taken;
  }

  private sums(): Float64Array {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      let sums = this.bySecond.get(second);
      if (!sums) {
        sums = new Float64Array(FIELDS.length);
        this.bySecond.set(second, sums);
      }
      this.current = sums;
    }
    return this.current;
  }
}

export interface RedisStatsBookOptions {
  readonly redis: Redis;
  readonly redisPrefix?: string;
  readonly now?: () => number;
  /** Told of a write that failed; its sums are lost (statistics, not records). */
  readonly onError?: (message: string, error: unknown) => void;
}

export class RedisStatsBook implements RollingStatsBook {
  private readonly pending = new Map<string, PendingSums>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisStatsBookOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => {
      this.flush().catch((e: unknown) => options.onError?.('writing rolling statistics to Redis failed', e));
    }, FLUSH_MS);
    this.timer.unref();
  }

  of(tenantId: string): StatsRecorder {
    let sums = this.pending.get(tenantId);
    if (!sums) {
      sums = new PendingSums(this.now);
      this.pending.set(tenantId, sums);
    }
    return sums;
  }

  async summary(tenantId: string, seconds: number): Promise<WindowStats> {
    await this.flush();
    const keys = this.windowKeys(tenantId, seconds);
    const pipeline = this.options.redis.pipeline();
    for (const key of keys) pipeline.hmget(key, ...FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const total = new Float64Array(FIELDS.length);
    for (const [error, values] of replies) {
      if (error) throw error;
      (values as (string | null)[]).forEach((v, i) => {
        if (v !== null) total[i] += Number(v);
      });
    }
    return windowStats(seconds, {
      predictions: total[PREDICTIONS],
      rows: total[ROWS],
      actuals: total[ACTUALS],
      absError: total[ABS_ERROR],
      signedError: total[SIGNED_ERROR],
      absActual: total[ABS_ACTUAL],
      anomalies: total[ANOMALIES],
    });
  }

  /** Writes every tenant's pending sums; writes run one after another. */
  flush(): Promise<void> {
    const run = this.writing.then(() => this.write());
    // A failed write is reported to its caller; the next one still runs.
    this.writing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // A shutdown with Redis gone loses the last second's sums, and goes on.
    await this.flush().catch((e: unknown) =>
      this.options.onError?.('writing rolling statistics to Redis failed', e),
    );
  }

  private async write(): Promise<void> {
    const pipeline = this.options.redis.pipeline();
    let commands = 0;
    for (const [tenantId, sums] of this.pending) {
      for (const [second, values] of sums.take()) {
        const minute = Math.floor(second / 60);
        const secondKey = this.key(tenantId, 's', second);
        const minuteKey = this.key(tenantId, 'm', minute);
        values.forEach((v, i) => {
          if (v === 0) return;
          pipeline.hincrbyfloat(secondKey, FIELDS[i], v);
          pipeline.hincrbyfloat(minuteKey, FIELDS[i], v);
          commands += 2;
        });
        pipeline.expire(secondKey, SECOND_BUCKETS_UP_TO + 60);
        pipeline.expire(minuteKey, LONGEST_WINDOW_S + 120);
      }
    }
    if (commands === 0) return;
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  /** The buckets a window of `seconds` ending now sums. */
  private windowKeys(tenantId: string, seconds: number): string[] {
    const nowS = Math.floor(this.now() / 1000);
    const keys: string[] = [];
    if (seconds <= SECOND_BUCKETS_UP_TO) {
      for (let s = nowS - seconds + 1; s <= nowS; s++) keys.push(this.key(tenantId, 's', s));
    } else {
      const nowM = Math.floor(nowS / 60);
      for (let m = nowM - Math.ceil(seconds / 60) + 1; m <= nowM; m++) keys.push(this.key(tenantId, 'm', m));
    }
    return keys;
  }

  private key(tenantId: string, unit: 's' | 'm', at: number): string {
    return `${this.options.redisPrefix ?? 'salescast:'}stats:${tenantId}:${unit}:${at}`;
  }
}
