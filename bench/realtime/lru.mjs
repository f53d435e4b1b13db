// Cost of a cache hit in two builds' TtlLru (the prediction cache's level 1, the principal cache
// and the serving registry use it): nanoseconds per get() for caches of 1, 100 and 10,000 entries,
// hitting one key again and again ("same") or keys spread over the cache ("spread").
//   node bench/realtime/lru.mjs <module A> [<module B>]   (a compiled core/ttl-lru.js each)
// The older layout lived in realtime/ttl-lru.js; `git worktree add` an older commit and compile it.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const builds = await Promise.all(
  process.argv.slice(2).map(async (path) => [path, (await import(pathToFileURL(resolve(path)).href)).TtlLru]),
);
for (const size of [1, 100, 10_000]) {
  const keys = Array.from(
    { length: size },
    (_, i) => `tenant-0000-1111-2222|default|1|S${i}/P001|7|digest0123456789abcdefghij|`,
  );
  for (const pattern of ['same', 'spread']) {
    for (const round of [1, 2]) {
      for (const [path, TtlLru] of builds) {
        const cache = new TtlLru(10_000, 3_600_000);
        for (const k of keys) cache.set(k, k);
        // Few enough that a slow build ends in seconds, enough to reach a steady state.
        const n = 200_000;
        let hits = 0;
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++)
          if (cache.get(pattern === 'same' ? keys[0] : keys[(i * 7919) % size])) hits++;
        const ns = Number(process.hrtime.bigint() - t0) / n;
        if (hits !== n) throw new Error(`${path}: ${n - hits} misses`);
        if (round === 2)
          console.log(JSON.stringify({ build: path, size, pattern, ns_per_get: Number(ns.toFixed(1)) }));
      }
    }
  }
}
