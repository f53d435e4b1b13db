// Cost of the per-request lookups that find a busy key again and again, in two builds: the in-memory
// rate-limit store (SnapshotStore, which every API request passes through without Redis) and the
// SQLite prepared-statement cache (every embedded-database query). Nanoseconds per call with a small
// and a full structure, one key asked again and again ("same") or keys spread over it ("spread").
//   node bench/realtime/hot-keys.mjs <dist A> [<dist B>]   (each a build of src: `npx tsc -p
//   tsconfig.build.json --outDir <dist>` inside this repository, so packages resolve)

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

const load = (dist, file) => import(pathToFileURL(resolve(dist, file)).href);
const builds = await Promise.all(
  process.argv.slice(2).map(async (dist) => ({
    dist,
    SnapshotStore: (await load(dist, 'api/plugins/rate-limit.js')).SnapshotStore,
    cachingStatements: (await load(dist, 'store/statement-cache.js')).cachingStatements,
  })),
);
// Few enough that a slow build ends in seconds, enough to reach a steady state.
const N = 200_000;
const nsPer = (keys, pattern, call) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) call(pattern === 'same' ? keys[0] : keys[(i * 7919) % keys.length]);
  return Number((Number(process.hrtime.bigint() - t0) / N).toFixed(1));
};
const report = (build, structure, keys, pattern, ns) =>
  console.log(JSON.stringify({ build, structure, keys, pattern, ns_per_call: ns }));

const WINDOW_MS = 3_600_000;
for (const size of [1, 100, 5000]) {
  const keys = Array.from({ length: size }, (_, i) => `api_key:7f3c${String(i).padStart(6, '0')}-1111-2222`);
  for (const pattern of ['same', 'spread']) {
    for (const round of [1, 2]) {
      for (const { dist, SnapshotStore } of builds) {
        const store = new SnapshotStore();
        let count = 0;
        const onCount = (error, result) => {
          if (error) throw error;
          count = result.current;
        };
        for (const k of keys) store.incr(k, onCount, WINDOW_MS);
        const ns = nsPer(keys, pattern, (k) => store.incr(k, onCount, WINDOW_MS));
        if (!(count > 1)) throw new Error(`${dist}: the store lost its counts`);
        if (round === 2) report(dist, 'rate-limit store', size, pattern, ns);
      }
    }
  }
}

const sqlite = new Database(':memory:');
for (const size of [10, 500]) {
  const sqls = Array.from({ length: size }, (_, i) => `select ${i} as n, ? as tenant_id where ? is not null`);
  for (const pattern of ['same', 'spread']) {
    for (const round of [1, 2]) {
      for (const { dist, cachingStatements } of builds) {
        // The cache closes only what it was handed: a wrapper keeps the shared connection open.
        const cache = cachingStatements({ prepare: (sql) => sqlite.prepare(sql), close() {} }, 500);
        for (const sql of sqls) cache.prepare(sql);
        const ns = nsPer(sqls, pattern, (sql) => cache.prepare(sql));
        if (round === 2) report(dist, 'statement cache', size, pattern, ns);
      }
    }
  }
}
sqlite.close();
