// What the shape of the forecast's answer costs a route that does nothing else: a Fastify server
// with a constant route answering `{"yhat":1}` (small), the same route answering a forecast's 1-kB
// body (body), or `{"yhat":1}` with the forecast route's ten extra headers (headers), or both.
// Started by response-shape.sh, which drives each route with autocannon and reads the server's CPU.
//   node bench/realtime/response-shape.mjs [--dist dist]   (the build's security headers)
// Prints its URL on the first line of stdout; stops on SIGTERM.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const Fastify = require('fastify');
const { values: args } = parseArgs({ options: { dist: { type: 'string', default: 'dist' } } });
const { SECURITY_HEADERS } = await import(join(resolve(args.dist), 'api/security-headers.js'));

const row = (day) =>
  `{"date":"2024-02-0${day}","yhat":7.3366076523498425,"quantiles":{"0.1":1.507448457138552,"0.5":6.363744942945559,"0.9":15.357638559382048}}`;
const body = `{"series_id":"S01/P001","model":{"name":"default","version":1},"h":7,"cache":"miss","forecasts":[${[1, 2, 3, 4, 5, 6, 7].map(row).join(',')}]}`;
// What the forecast route adds to the constant's headers: rate-limit state, security, request id.
const headers = {
  'ratelimit-limit': '100000000',
  'ratelimit-remaining': '99999999',
  'ratelimit-reset': '60',
  ...SECURITY_HEADERS,
  'x-request-id': 'de51d520-3f77-4dbd-8af0-aefa3858e462',
};
const app = Fastify({ logger: false });
app.post('/small', async () => ({ yhat: 1 }));
app.post('/body', async (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
app.post('/headers', async (_req, reply) => reply.headers(headers).send({ yhat: 1 }));
app.post('/both', async (_req, reply) =>
  reply.headers(headers).type('application/json; charset=utf-8').send(body),
);
process.stdout.write(`${await app.listen({ host: '127.0.0.1', port: 0 })}\n`);
process.on('SIGTERM', () => process.exit(0));
