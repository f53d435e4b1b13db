/**
 * `salescast stream-sim`: replays a dataset (`series_id,date,y` plus driver columns) against a
 * running server as a live stream: records in date order, POSTed as NDJSON to /v1/stream at a
 * steady rate. A 429 is waited out (Retry-After) and the batch resent; any other refusal stops
 * the replay with the server's problem message.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { SalescastError } from '../../core/errors.js';
import { intOption } from '../options.js';
import { emit } from '../output.js';

interface StreamSimFlags {
  data: string;
  rate: number;
  url: string;
  apiKey: string;
  batch?: number;
  limit?: number;
  model?: string;
  json?: boolean;
}

/** `N/s` or `N`: records per second, > 0. */
export function rateOption(value: string): number {
  const n = Number(value.replace(/\/s$/, ''));
  if (!(Number.isFinite(n) && n > 0))
    throw new InvalidArgumentError(`must be records per second, e.g. 200/s; got '${value}'.`);
  return n;
}

export interface ReplayOptions {
  /** NDJSON lines in the order to send them. */
  readonly lines: readonly string[];
  /** Records per second. */
  readonly rate: number;
  /** Server base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly apiKey: string;
  /** Records per request; default rate / 10 (ten requests a second), between 1 and 1,000. */
  readonly batch?: number;
  readonly model?: string;
}

export interface ReplayResult {
  sent: number;
  requests: number;
  /** Requests answered 429 and retried. */
  throttled: number;
  alerts: number;
  seconds: number;
  /** Records per second achieved. */
  rate: number;
}

/** Sends `lines` to `url`/v1/stream at `rate` records per second. */
export async function replayStream(options: ReplayOptions): Promise<ReplayResult> {
  const batch = options.batch ?? Math.min(1000, Math.max(1, Math.round(options.rate / 10)));
  const endpoint = new URL(
    `/v1/stream${options.model ? `?model=${encodeURIComponent(options.model)}` : ''}`,
    options.url,
  );
  const start = performance.now();
  const result: ReplayResult = { sent: 0, requests: 0, throttled: 0, alerts: 0, seconds: 0, rate: 0 };
  for (let i = 0; i < options.lines.length; i += batch) {
    const chunk = options.lines.slice(i, i + batch);
    // Paced against the start, so slow requests are caught up rather than accumulated.
    const due = start + (i / options.rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (;;) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/x-ndjson' },
        body: chunk.join('\n'),
      }).catch((e: unknown) => {
        throw new SalescastError(
          'SERVICE_UNAVAILABLE',
          `Cannot reach ${endpoint.origin}: ${(e as Error).message}`,
        );
      });
      result.requests++;
      const body = (await res.json().catch(() => ({}))) as { detail?: string; alerts?: unknown[] };
      if (res.status === 429) {
        result.throttled++;
        const seconds = Number(res.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.max(0.1, seconds) * 1000));
        continue;
      }
      if (!res.ok) {
        throw new SalescastError(
          res.status === 401 || res.status === 403 ? 'UNAUTHENTICATED' : 'INVALID_DATA',
          `The server refused records ${i + 1}–${i + chunk.length} (HTTP ${res.status}): ${body.detail ?? 'no detail'}`,
        );
      }
      result.alerts += body.alerts?.length ?? 0;
      break;
    }
    result.sent += chunk.length;
  }
  result.seconds = (performance.now() - start) / 1000;
  result.rate = result.seconds > 0 ? result.sent / result.seconds : result.sent;
  return result;
}

/** Registers `stream-sim` on `program`. */
export function registerStreamSim(program: Command): void {
  program
    .command('stream-sim')
    .description('Replay a dataset against a server as a live stream of actuals (POST /v1/stream).')
    .requiredOption(
      '--data <file>',
      'CSV, Parquet or JSON: series_id, date, y and driver columns, or a sales file (store_id, product_id, date, units)',
    )
    .requiredOption('--rate <n/s>', 'records per second, e.g. 200/s', rateOption)
    .requiredOption('--url <url>', 'server base URL, e.g. http://127.0.0.1:8080', httpUrlOption)
    .requiredOption('--api-key <key>', 'API key (or access token) of the tenant')
    .option('--batch <n>', 'records per request (default: rate / 10)', intOption(1, 50_000))
    .option('--limit <n>', 'send only the first n records (in date order)', intOption(1))
    .option('--model <name>', "registered model name (default 'default')")
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .addHelpText(
      'after',
      `
Records are sent in date order (all series of a day, then the next day). Columns other than
series_id, date and y are sent as drivers. A sales file as ingested (store_id, product_id, date,
units, revenue) replays as series store_id/product_id with y = units; its other columns except
revenue are drivers. A 429 is waited out and the batch resent.

Example:
  salescast demo-data --out demo
  salescast stream-sim --data demo/sales.csv --rate 500/s --url http://127.0.0.1:8080 --api-key sck_…`,
    )
    .action(async (flags: StreamSimFlags) => {
      const { missingColumn, readTable } = await import('../../data/duckdb.js');
      const table = await readTable(flags.data, { required: ['date'] });
      // A long table (series_id, y), or a sales export as ingested (store_id, product_id, units),
      // whose series are store_id/product_id as in an ingested panel. Revenue is an outcome, like
      // units, not a driver known ahead, so it is not sent.
      const salesExport = !table.columns.includes('series_id') && table.columns.includes('store_id');
      const required = salesExport ? ['store_id', 'product_id', 'units'] : ['series_id', 'y'];
      for (const c of required) {
        if (!table.columns.includes(c)) throw missingColumn(basename(flags.data), c);
      }
      const seriesIdsOfSales = () => {
        const stores = table.get('store_id');
        const products = table.get('product_id');
        return Array.from({ length: table.rows }, (_, i) => `${stores[i]}/${products[i]}`);
      };
      const ids = salesExport ? seriesIdsOfSales() : table.get('series_id');
      const dates = table.get('date');
      const ys = table.get(salesExport ? 'units' : 'y');
      const notDrivers = ['date', ...required, ...(salesExport ? ['revenue'] : [])];
      const drivers = table.columns.filter((c) => !notDrivers.includes(c));
      // Rows without an actual (gaps) are not sent: the server treats a missing period as a gap.
      const order = Array.from({ length: table.rows }, (_, i) => i)
        .filter((i) => Number.isFinite(Number(ys[i])) && ys[i] !== null)
        .sort((a, b) => String(dates[a]).localeCompare(String(dates[b])));
      const lines = order.slice(0, flags.limit ?? order.length).map((i) => {
        const record: Record<string, unknown> = {
          series_id: String(ids[i]),
          date: String(dates[i]).slice(0, 10),
          y: Number(ys[i]),
        };
        if (drivers.length > 0) {
          record.drivers = Object.fromEntries(
            drivers.map((c) => {
              const v = table.get(c)[i];
              return [c, typeof v === 'number' && !Number.isFinite(v) ? null : v];
            }),
          );
        }
        return JSON.stringify(record);
      });
      const result = await replayStream({
        lines,
        rate: flags.rate,
        url: flags.url,
        apiKey: flags.apiKey,
        batch: flags.batch,
        model: flags.model,
      });
      emit(
        flags,
        { ...result },
        () =>
          `sent ${result.sent} records in ${result.requests} requests over ${result.seconds.toFixed(1)} s ` +
          `(${result.rate.toFixed(0)}/s); ${result.throttled} throttled and retried; ${result.alerts} alerts raised`,
      );
    });
}

/** An http(s) base URL; anything else is a usage error naming the option. */
function httpUrlOption(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InvalidArgumentError(`must be an http:// or https:// URL; got '${value}'.`);
  return value;
}
