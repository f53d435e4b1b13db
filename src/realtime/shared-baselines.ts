/**
 * The anomaly detectors' baselines in Redis, shared by every API and worker process: whichever
 * process receives a series' actual, or forecasts it, judges it on the series' whole recent
 * history. One key per model version, kind and series holds the baseline as JSON; a read is one
 * MGET, a write one pipeline of SETs. Two processes judging the same series at the same moment
 * each write their own copy, and the later one stands: a baseline may lose a value then, which
 * shifts a median by less than one value in the window.
 */
import type { Redis } from 'ioredis';
import type { BaselineStore, StoredBaseline } from './anomaly.js';

/** How long an untouched baseline is kept: a retired model version's go with it. */
const BASELINE_TTL_S = 30 * 86_400;

export class RedisBaselineStore implements BaselineStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'salescast:',
  ) {}

  async read(keys: readonly string[]): Promise<(StoredBaseline | null)[]> {
    if (keys.length === 0) return [];
    const texts = await this.redis.mget(...keys.map((k) => this.key(k)));
    return texts.map((t) => (t === null ? null : (JSON.parse(t) as StoredBaseline)));
  }

  async write(entries: ReadonlyArray<readonly [string, StoredBaseline]>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, baseline] of entries)
      pipeline.set(this.key(key), JSON.stringify(baseline), 'EX', BASELINE_TTL_S);
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  private key(key: string): string {
    return `${this.prefix}anomaly:${key}`;
  }
}
