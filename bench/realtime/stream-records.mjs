// Reads of streamed records as the tenant's history grows: the replay a newly loaded model version
// makes (`after`: records dated after its training data) and the catch-up of a process whose
// subscription came back (`receivedSince`), with the time to store the records. Embedded SQLite,
// or PostgreSQL with DATABASE_URL (a scratch schema, dropped at the end).
//   node bench/realtime/stream-records.mjs --dist .bench-out/realtime/dist [--series 500] [--days 730]
//     [--replay-days 28] [--catch-up 200]
// Prints one JSON line: records stored, insert µs per record, and the median of 5 reads each of
// the last --replay-days days and of the last --catch-up records received.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    series: { type: 'string', default: '500' },
    days: { type: 'string', default: '730' },
    'replay-days': { type: 'string', default: '28' },
    'catch-up': { type: 'string', default: '200' },
  },
});
const { openStore } = await import(resolve(args.dist, 'store/store.js'));
const { dayToDate, formatDay, parseIsoDay } = await import(resolve(args.dist, 'core/dates.js'));
const nSeries = Number(args.series);
const nDays = Number(args.days);
const dataDir = mkdtempSync(join(tmpdir(), 'salescast-stream-records-'));
const pgSchema = process.env.DATABASE_URL ? `bench_stream_${process.pid}` : undefined;
const store = await openStore({ dataDir, databaseUrl: process.env.DATABASE_URL, pgSchema });
const tenantId = 'bench-tenant';
const at = '2026-01-01T00:00:00.000Z';
await store.system.createTenant(
  {
    id: tenantId,
    name: 'Bench',
    plan: 'enterprise',
    status: 'active',
    quota_overrides: '{}',
    branding: '{}',
    audit_seq: 0,
    audit_head: '',
    created_at: at,
    updated_at: at,
  },
  {
    id: 'bench-admin',
    tenant_id: tenantId,
    email: 'bench@example.com',
    password_hash: 'x',
    role: 'admin',
    platform_admin: 0,
    status: 'active',
    created_at: at,
    updated_at: at,
  },
);
const day0 = parseIsoDay('2024-01-01');
const dayText = (d) => formatDay(day0 + d);
// Records arrive a day at a time, every series' actual of that day, one second apart.
const started = process.hrtime.bigint();
for (let d = 0; d < nDays; d++) {
  const received = dayToDate(day0 + d + 1).toISOString();
  const rows = Array.from({ length: nSeries }, (_, s) => ({
    series_id: `S${String(s).padStart(4, '0')}`,
    date: dayText(d),
    y: (s + d) % 17,
    drivers: '{}',
    received_at: received,
  }));
  await store.withTenant(tenantId, (r) => r.streamRecords.upsert(rows));
}
const insertUs = Number(process.hrtime.bigint() - started) / 1e3 / (nSeries * nDays);
const medianMs = async (read) => {
  const times = [];
  let n = 0;
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    n = (await store.withTenant(tenantId, read)).length;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: Number(times[2].toFixed(2)), records: n };
};
const replay = await medianMs((r) => r.streamRecords.after(dayText(nDays - 1 - Number(args['replay-days']))));
const lastReceived = dayToDate(day0 + nDays).toISOString();
const catchUp = await medianMs((r) => r.streamRecords.receivedSince(lastReceived));
if (pgSchema) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`drop schema ${pgSchema} cascade`);
  await client.end();
}
await store.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    database: pgSchema ? 'postgres' : 'sqlite',
    records: nSeries * nDays,
    insert_us_per_record: Number(insertUs.toFixed(2)),
    replay_last_days: Number(args['replay-days']),
    replay_ms: replay.ms,
    replay_records: replay.records,
    catch_up_ms: catchUp.ms,
    catch_up_records: catchUp.records,
  }),
);
