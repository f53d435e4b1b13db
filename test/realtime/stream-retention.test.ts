/**
 * Retention of streamed records: each tenant keeps the days before its own newest record, in
 * SQLite and, with DATABASE_URL, in PostgreSQL under row-level security.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseIsoDay } from '../../src/core/dates.js';
import { platformConfig } from '../../src/platform/config.js';
import { pruneStreamRecords } from '../../src/realtime/stream-retention.js';
import type { Store } from '../../src/store/store.js';
import { STORE_DIALECTS, storeWithTenants, streamRecordRow } from '../fixtures/store-rows.js';
import { createTenant, startHarness } from '../platform/harness.js';

const now = new Date().toISOString();

/** One record per series and day, from `first` for `days` days. */
function records(series: string[], first: string, days: number) {
  const day0 = parseIsoDay(first)!;
  return series.flatMap((series_id) =>
    Array.from({ length: days }, (_, d) => streamRecordRow(series_id, formatDay(day0 + d), now, d)),
  );
}

describe('stream record retention', () => {
  it('comes from SALESCAST_STREAM_RETENTION_DAYS, 0 (keep everything) by default', () => {
    expect(platformConfig({}, {}).streamRetentionDays).toBe(0);
    expect(platformConfig({}, { SALESCAST_STREAM_RETENTION_DAYS: '400' }).streamRetentionDays).toBe(400);
    for (const bad of ['-3', '2.5', 'year']) {
      expect(() => platformConfig({}, { SALESCAST_STREAM_RETENTION_DAYS: bad })).toThrow(
        `SALESCAST_STREAM_RETENTION_DAYS must be a whole number of days, 0 to keep every streamed record; got '${bad}'.`,
      );
    }
  });

  it('is applied by a job worker when it starts', async () => {
    const h = await startHarness('sqlite', { streamRetentionDays: 7 });
    try {
      const admin = await createTenant(h, 'Retained');
      const store = h.platform.store;
      await store.withTenant(admin.tenantId, (r) =>
        r.streamRecords.upsert(records(['s1'], '2026-05-01', 20)),
      );
      const worker = await h.platform.operations.startWorker({ pollMs: 50 });
      try {
        const deadline = Date.now() + 10_000;
        const kept = () => store.withTenant(admin.tenantId, (r) => r.streamRecords.after('0000-01-01'));
        while ((await kept()).length > 8 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        // Newest 2026-05-20: the 7 days before it and that day remain.
        expect((await kept()).map((x) => x.date)).toEqual(
          records(['s1'], '2026-05-13', 8).map((x) => x.date),
        );
      } finally {
        await worker.stop();
      }
    } finally {
      await h.close();
    }
  });
});

describe.each(STORE_DIALECTS)('pruneStreamRecords (%s)', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  const a = randomUUID();
  const b = randomUUID();
  const empty = randomUUID();

  beforeAll(async () => {
    ({ store, close } = await storeWithTenants(dialect, [a, b, empty]));
  });
  afterAll(() => close());

  it("keeps each tenant's days before its own newest record and deletes the older ones", async () => {
    // Tenant a: two series over 2026-01-01 … 2026-03-01 (60 days). Tenant b: one series, a year
    // earlier, over 10 days: all of it is within 30 days of its own newest record.
    await store.withTenant(a, (r) => r.streamRecords.upsert(records(['s1', 's2'], '2026-01-01', 60)));
    await store.withTenant(b, (r) => r.streamRecords.upsert(records(['s1'], '2025-01-01', 10)));

    expect(await pruneStreamRecords(store, 30)).toBe(2 * 29);

    const left = await store.withTenant(a, (r) => r.streamRecords.after('0000-01-01'));
    // Newest 2026-03-01; 30 days before it is 2026-01-30, the oldest date kept.
    expect(left).toHaveLength(2 * 31);
    expect(left[0].date).toBe('2026-01-30');
    expect(left.at(-1)!.date).toBe('2026-03-01');
    expect(await store.withTenant(b, (r) => r.streamRecords.after('0000-01-01'))).toHaveLength(10);

    // Pruning again finds nothing more; a shorter retention takes more.
    expect(await pruneStreamRecords(store, 30)).toBe(0);
    expect(await pruneStreamRecords(store, 5)).toBe(2 * 25 + 4);
    expect(await store.withTenant(b, (r) => r.streamRecords.newestDate())).toBe('2025-01-10');
    expect(await store.withTenant(empty, (r) => r.streamRecords.newestDate())).toBeUndefined();
  });
});
