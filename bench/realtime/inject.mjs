// In-process cost of one route: the benchmark API (setup.mjs) driven by `app.inject` in a loop, so
// no network or load generator shares the measurement. Prints the wall time and this process's CPU
// time per request; CPU time moves much less than wall time when other work loads the machine.
// Run it under `node --cpu-prof` to see where the time goes.
//   node bench/realtime/inject.mjs --dist .bench-out/realtime/dist --route single|usage|batch
//     [--n 2000] [--cache-ttl-ms 60000] [--stores 10 --products 12]
// single: POST /v1/forecast {"series_id", "h": 7}; usage: GET /v1/usage (the platform's own cost per
// authenticated call); batch: POST /v1/forecast/batch {"h": 28} over every series.
import { parseArgs } from 'node:util';
import { benchApi } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    route: { type: 'string', default: 'single' },
    n: { type: 'string' },
    'cache-ttl-ms': { type: 'string', default: '60000' },
    stores: { type: 'string', default: '10' },
    products: { type: 'string', default: '12' },
  },
});
const { app, key, series, close } = await benchApi({
  dist: args.dist,
  cacheTtlMs: Number(args['cache-ttl-ms']),
  stores: Number(args.stores),
  products: Number(args.products),
});
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const requests = {
  single: { method: 'POST', url: '/v1/forecast', payload: JSON.stringify({ series_id: series[0], h: 7 }) },
  usage: { method: 'GET', url: '/v1/usage' },
  batch: { method: 'POST', url: '/v1/forecast/batch', payload: JSON.stringify({ h: 28 }) },
};
const request = { ...requests[args.route], headers };
if (!requests[args.route]) throw new Error(`--route must be one of ${Object.keys(requests).join(', ')}`);
const n = Number(args.n ?? (args.route === 'batch' ? 20 : 2000));
const once = async () => {
  const res = await app.inject(request);
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return res;
};
// Warm-up: the JIT, the served model's state and, when its TTL allows, the prediction cache.
for (let i = 0; i < Math.max(3, n / 10); i++) await once();
const cpu = process.cpuUsage();
const wall = [];
for (let i = 0; i < n; i++) {
  const t = performance.now();
  await once();
  wall.push(performance.now() - t);
}
const used = process.cpuUsage(cpu);
wall.sort((a, b) => a - b);
const cpuMs = (used.user + used.system) / 1000 / n;
const result = {
  route: args.route,
  n,
  wall_ms_median: Math.round(wall[Math.floor(n / 2)] * 1000) / 1000,
  cpu_ms_per_request: Math.round(cpuMs * 1000) / 1000,
};
if (args.route === 'batch') result.rows_per_cpu_s = Math.round((series.length * 28) / (cpuMs / 1000));
console.log(JSON.stringify(result));
await close();
