/** Usage counters of one tenant. Increments are single atomic upserts, exact under concurrency. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface UsageRepo {
  /** Adds `delta` to the counter (creating it at 0) and returns the new value, atomically. */
  add(period: string, metric: string, delta: number): Promise<number>;
  /** Counters of the given periods, as period → metric → value. */
  read(periods: readonly string[]): Promise<Record<string, Record<string, number>>>;
}

export function usageRepo(db: Kysely<Database>, tenantId: string): UsageRepo {
  return {
    async add(period, metric, delta) {
      const row = await db
        .insertInto('usage_counters')
        .values({ tenant_id: tenantId, period, metric, value: delta })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'period', 'metric'])
            .doUpdateSet((eb) => ({ value: eb('usage_counters.value', '+', eb.ref('excluded.value')) })),
        )
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number(row.value);
    },
    async read(periods) {
      const out: Record<string, Record<string, number>> = {};
      for (const p of periods) out[p] = {};
      if (periods.length === 0) return out;
      const rows = await db
        .selectFrom('usage_counters')
        .select(['period', 'metric', 'value'])
        .where('tenant_id', '=', tenantId)
        .where('period', 'in', [...periods])
        .execute();
      for (const r of rows) out[r.period][r.metric] = Number(r.value);
      return out;
    },
  };
}
