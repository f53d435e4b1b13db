/**
 * Retention of streamed records (`SALESCAST_STREAM_RETENTION_DAYS`). Records are kept so that a
 * restarted process or a newly loaded model version can replay what was streamed since its
 * training data ended; a version whose training data ends before the kept days starts with gaps
 * in its window, so the retention should cover the oldest version that may be rolled back to.
 */
import { formatDay, parseIsoDay } from '../core/dates.js';
import type { Store } from '../store/store.js';

/**
 * Deletes each tenant's streamed records dated more than `days` days before that tenant's newest
 * record; returns how many went. The age counts from the newest record, not from today, so a
 * tenant streaming past dates (a replay, a late backfill) keeps its recent window.
 */
export async function pruneStreamRecords(store: Store, days: number): Promise<number> {
  let removed = 0;
  for (const tenant of await store.system.listTenants()) {
    removed += await store.withTenant(tenant.id, async (r) => {
      const newest = await r.streamRecords.newestDate();
      const newestDay = newest === undefined ? undefined : parseIsoDay(newest);
      if (newestDay === undefined) return 0;
      return r.streamRecords.deleteBefore(formatDay(newestDay - days));
    });
  }
  return removed;
}
