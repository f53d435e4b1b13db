// Open-loop load at a fixed rate, for latency "at N requests/s". autocannon's --overallRate lets
// each connection send back to back until it has made its share of the second, then waits for the
// next second: the load arrives as one burst per second, and the latency it reports is that of a
// queue of `connections` requests. Here a request is due every 1/rate seconds whatever the answers
// do, and its latency counts from when it was due (not when it was sent), so a stall delays every
// request behind it and shows in the tail (no coordinated omission).
//   node bench/realtime/paced.mjs --url URL [--rate 1000] [--seconds 10] [--method POST]
//     [--body JSON] [--header 'name: value' ...]
// Prints one JSON line: {sent, ok, non2xx, errors, rate_achieved, p50_ms, p90_ms, p99_ms, max_ms}.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    method: { type: 'string', default: 'GET' },
    body: { type: 'string' },
    header: { type: 'string', multiple: true, default: [] },
  },
});
if (!args.url) throw new Error('--url is required');
const url = new URL(args.url);
const rate = Number(args.rate);
const total = Math.round(rate * Number(args.seconds));
const intervalNs = 1e9 / rate;
const headers = Object.fromEntries(
  args.header.map((h) => {
    const i = h.indexOf(':');
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  }),
);
const body = args.body === undefined ? undefined : Buffer.from(args.body);
if (body) headers['content-length'] = String(body.length);
// Enough sockets that a request never waits for a free one unless the server has stalled.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const latenciesMs = new Float64Array(total);
let done = 0;
let ok = 0;
let non2xx = 0;
let errors = 0;
let finish;
const finished = new Promise((resolve) => {
  finish = resolve;
});
const record = (i, dueNs, status) => {
  latenciesMs[i] = Number(process.hrtime.bigint() - dueNs) / 1e6;
  if (status === undefined) errors++;
  else if (status >= 200 && status < 300) ok++;
  else non2xx++;
  if (++done === total) finish();
};
const send = (i, dueNs) => {
  const req = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: args.method,
      headers,
      agent,
    },
    (res) => {
      res.on('data', () => {});
      res.on('end', () => record(i, dueNs, res.statusCode));
    },
  );
  req.on('error', () => record(i, dueNs, undefined));
  req.end(body);
};

const start = process.hrtime.bigint();
let next = 0;
const tick = () => {
  const now = process.hrtime.bigint();
  // Every request that has fallen due goes out now, stamped with its due time.
  while (next < total && start + BigInt(Math.round(next * intervalNs)) <= now) {
    send(next, start + BigInt(Math.round(next * intervalNs)));
    next++;
  }
  // A 1 ms timer rather than a busy loop, so the generator leaves the server its core; the timer's
  // lateness counts against the server (latency runs from the due time), which errs pessimistic.
  if (next < total) setTimeout(tick, 1);
};
tick();
await finished;
const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
const sorted = latenciesMs.slice().sort();
const at = (q) => Math.round(sorted[Math.min(total - 1, Math.floor(q * total))] * 100) / 100;
console.log(
  JSON.stringify({
    sent: total,
    ok,
    non2xx,
    errors,
    rate_achieved: Math.round(total / elapsedS),
    p50_ms: at(0.5),
    p90_ms: at(0.9),
    p99_ms: at(0.99),
    max_ms: Math.round(sorted[total - 1] * 100) / 100,
  }),
);
