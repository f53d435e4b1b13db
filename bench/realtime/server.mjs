// Benchmark server: the built API (--dist <compiled src>) with a demo production model
// (setup.mjs), plus a bare Fastify route returning a constant on a second port, both in this one
// process so they share the machine equally. Prints one JSON line {api, bare, key, series} when
// ready; stops on SIGTERM.
//   node bench/realtime/server.mjs --dist .bench-out/dist [--cache-ttl-ms 60000] [--stores 10 --products 12]
//     [--forecast-workers N] [--work-us 20]
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { benchApi } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    'cache-ttl-ms': { type: 'string', default: '60000' },
    // Busy work per request of the bare server's second route (µs).
    'work-us': { type: 'string', default: '20' },
    stores: { type: 'string', default: '10' },
    products: { type: 'string', default: '12' },
    // Default: the platform's (one per core, at most 4).
    'forecast-workers': { type: 'string' },
  },
});
const { app, key, series, rows, close } = await benchApi({
  dist: args.dist,
  cacheTtlMs: Number(args['cache-ttl-ms']),
  stores: Number(args.stores),
  products: Number(args.products),
  forecastWorkers: args['forecast-workers'] === undefined ? undefined : Number(args['forecast-workers']),
});
const api = await app.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify({ logger: false });
bare.post('/constant', async () => ({ yhat: 1 }));
// The same answer after a fixed amount of busy work: what a route costing `--work-us` more than the
// bare one can reach on this machine, which puts the forecast route's ratio in scale.
const workNs = BigInt(Math.round(Number(args['work-us']) * 1000));
bare.post('/constant-after-work', async () => {
  const until = process.hrtime.bigint() + workNs;
  while (process.hrtime.bigint() < until);
  return { yhat: 1 };
});
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ api, bare: bareUrl, key, series, rows })}\n`);
process.on('SIGTERM', async () => {
  await bare.close();
  await close();
  process.exit(0);
});
