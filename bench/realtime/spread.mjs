// Max throughput of POST /v1/forecast asking for every series in turn, not one series again and
// again: the prediction cache then holds an entry per series, as under real traffic. autocannon's
// command line sends one fixed body, so this drives its programmatic API with a body per series.
//   node bench/realtime/spread.mjs --autocannon DIR --info JSON [--seconds 10] [--connections 10]
// DIR holds node_modules/autocannon; JSON is the bench server's line {api, key, series}. Prints
// autocannon's result as JSON, as `autocannon -j` does.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    autocannon: { type: 'string' },
    info: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
if (!args.autocannon || !args.info) throw new Error('--autocannon and --info are required');
const autocannon = createRequire(join(resolve(args.autocannon), 'node_modules', '/'))('autocannon');
const { api, key, series } = JSON.parse(args.info);
const bodies = series.map((id) => JSON.stringify({ series_id: id, h: 7 }));
let next = 0;
const result = await autocannon({
  url: api,
  connections: Number(args.connections),
  duration: Number(args.seconds),
  requests: [
    {
      method: 'POST',
      path: '/v1/forecast',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
    },
  ],
});
process.stdout.write(`${JSON.stringify(result)}\n`);
