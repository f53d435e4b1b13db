/**
 * Streaming actuals and events. Each record is stored (so a restarted process or a newly promoted
 * model version replays it), applied to the online state of every loaded model version of the
 * tenant, and — for an actual of the next periods — first judged against the one-step forecast the
 * production model made from the state before it: the forecast goes through the prediction-stream
 * detector and the residual through the residual detector. Records come from `POST /v1/stream`
 * (NDJSON) and, with Redis, from a Redis Streams consumer group shared by every API process. With
 * Redis, each process publishes what it applied and applies what the others publish, so every
 * process's served state sees every record (judging stays with the process that received it); a
 * process whose subscription was lost reads what was stored meanwhile once it is back.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { formatDay, parseIsoDay, periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isInputNumber, LARGEST_INPUT } from '../core/magnitude.js';
import { type Principal, requirePermission } from '../platform/principal.js';
import type { Store } from '../store/store.js';
import type { Alert, AlertService } from './alert-service.js';
import type { ForecastService } from './forecast-service.js';
import type { DriverValue, StreamRecord } from './online-state.js';
import { forecastSeries, type ServedModel, type ServingRegistry, streamRecordOf } from './serving.js';

/** Records per request body. */
export const MAX_STREAM_RECORDS = 50_000;

/** Entries per read of the Redis stream. */
const READ_COUNT = 100;

/**
 * How far after a series' last period a streamed actual may be dated: a year. The periods between
 * are kept as gaps, so a mistyped year would otherwise fill the series' window with them.
 */
const MAX_PERIODS_AHEAD = { day: 366, week: 53 } as const;

/** Records per message on the channel that shares applied records between processes. */
const APPLIED_MESSAGE_RECORDS = 1000;

/**
 * How long before a lost subscription the catch-up reads stored records from: the other processes
 * stamp records with their own clocks, and store a record just before they publish it.
 */
const CATCH_UP_MARGIN_MS = 60_000;

/** Deliveries of a Redis stream entry after which one that keeps failing is dropped. */
export const MAX_DELIVERIES = 5;

export interface IngestResult {
  accepted: number;
  /** Actuals after the last known period. */
  appended: number;
  /** Actuals or events replacing a period already in the window. */
  corrected: number;
  /** Events for future periods (known drivers). */
  future: number;
  /** Records older than the window (stored, but they no longer change a forecast). */
  stale: number;
  /** Alerts raised or escalated by these records. */
  alerts: Alert[];
}

/** Records this process has ingested since it started, by what they did (for /metrics). */
export type StreamCounts = Record<'appended' | 'corrected' | 'future' | 'stale', number>;

export interface StreamService {
  readonly counts: StreamCounts;
  /** Ingests NDJSON text: one record per line (blank lines skipped). */
  ingestNdjson(p: Principal, text: string, model?: string): Promise<IngestResult>;
  /** Ingests parsed records for a tenant (the Redis consumer's path: no principal). */
  ingest(tenantId: string, records: readonly StreamRecord[], model?: string): Promise<IngestResult>;
  /** Starts the Redis Streams consumer (no-op without Redis). */
  startConsumer(): Promise<void>;
  /**
   * Subscribes to what the other API processes apply (no-op without Redis), so that every
   * process's served state sees every streamed record, whichever process received it.
   */
  startSync(): Promise<void>;
  close(): Promise<void>;
}

export interface StreamServiceDeps {
  store: Store;
  serving: ServingRegistry;
  forecasts: ForecastService;
  alerts: AlertService;
  redis?: Redis;
  redisPrefix?: string;
  /**
   * How long an entry stays pending (delivered, not acknowledged) before another consumer takes it
   * over; default a minute.
   */
  claimIdleMs?: number;
  onError?: (message: string, error: unknown) => void;
}

/** The Redis stream external systems XADD to: fields `tenant` and `record` (one NDJSON line). */
export function streamKey(redisPrefix: string): string {
  return `${redisPrefix}stream:records`;
}

/** The Redis channel on which each process publishes the records it applied, for the others. */
export function appliedChannel(redisPrefix: string): string {
  return `${redisPrefix}stream:applied`;
}

interface AppliedMessage {
  readonly origin: string;
  readonly tenant: string;
  readonly records: readonly StreamRecord[];
}

const bad = (line: number, field: string, message: string) =>
  new SalescastError('INVALID_DATA', `line ${line}: ${message}`, { line, field });

/**
 * Parses one NDJSON line: `{"series_id", "date": "YYYY-MM-DD", "y"?: number, "drivers"?: {...}}`
 * with `"type": "event"` (drivers only) or `"actual"` (the default, `y` required).
 */
export function parseStreamLine(text: string, line: number): StreamRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad(line, 'line', 'is not valid JSON.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad(line, 'line', 'must be a JSON object.');
  const o = raw as Record<string, unknown>;
  const type = o.type ?? 'actual';
  if (type !== 'actual' && type !== 'event')
    throw bad(line, 'type', `type must be 'actual' or 'event'; got ${JSON.stringify(type)}.`);
  if (typeof o.series_id !== 'string' || o.series_id === '')
    throw bad(line, 'series_id', 'series_id must be a non-empty string.');
  const date = typeof o.date === 'string' ? parseIsoDay(o.date) : undefined;
  if (date === undefined) throw bad(line, 'date', `date must be YYYY-MM-DD; got ${JSON.stringify(o.date)}.`);
  let y: number | null = null;
  if (type === 'actual') {
    if (!isInputNumber(o.y) || o.y < 0)
      throw bad(
        line,
        'y',
        `y must be a number from 0 to ${LARGEST_INPUT} for an actual; got ${JSON.stringify(o.y)}.`,
      );
    y = o.y;
  }
  const drivers: Record<string, DriverValue> = {};
  if (o.drivers !== undefined) {
    if (typeof o.drivers !== 'object' || o.drivers === null || Array.isArray(o.drivers))
      throw bad(line, 'drivers', 'drivers must be an object of driver → number, text or null.');
    for (const [k, v] of Object.entries(o.drivers)) {
      if (v !== null && typeof v !== 'string' && !isInputNumber(v))
        throw bad(
          line,
          `drivers.${k}`,
          `driver '${k}' must be a number within ±${LARGEST_INPUT}, text or null.`,
        );
      drivers[k] = v as DriverValue;
    }
  }
  return { seriesId: o.series_id, date, y, drivers };
}

export function createStreamService(deps: StreamServiceDeps): StreamService {
  const { serving, forecasts, alerts, redis } = deps;
  let consumer: Redis | undefined;
  let subscriber: Redis | undefined;
  let running: Promise<void> | undefined;
  let stopping = false;
  // Tells this service's own messages on the applied channel from the other processes'.
  const origin = randomUUID();
  const counts: StreamCounts = { appended: 0, corrected: 0, future: 0, stale: 0 };
  const channel = appliedChannel(deps.redisPrefix ?? 'salescast:');

  /**
   * Applies records checked against one served version (in this process or another) to the loaded
   * versions `versions`. A record that does not fit one of them (another series set, another
   * frequency) is skipped for that version: it is stored, and the version that received it has it.
   */
  const applyChecked = (versions: readonly ServedModel[], records: readonly StreamRecord[]) => {
    for (const served of versions) {
      for (const r of records) {
        if (served.state.has(r.seriesId)) {
          try {
            served.state.apply(r);
          } catch (e) {
            deps.onError?.(
              `skipping a streamed record of series '${r.seriesId}' for version ${served.key}`,
              e,
            );
          }
        }
      }
    }
  };
  const applyFromPeer = async (text: string) => {
    const message = JSON.parse(text) as AppliedMessage;
    if (message.origin === origin) return;
    applyChecked(await serving.loaded(message.tenant), message.records);
  };
  /**
   * Applies every record stored since `since` (an ISO time) to the loaded versions: what the
   * channel did not deliver while this process was not subscribed. Records this process already
   * has are applied again, with the same values.
   */
  const catchUp = async (since: string) => {
    const byTenant = new Map<string, ServedModel[]>();
    for (const served of await serving.loaded()) {
      const versions = byTenant.get(served.tenantId);
      if (versions) versions.push(served);
      else byTenant.set(served.tenantId, [served]);
    }
    for (const [tenantId, versions] of byTenant) {
      const rows = await deps.store.withTenant(tenantId, (r) => r.streamRecords.receivedSince(since));
      applyChecked(versions, rows.map(streamRecordOf));
    }
  };
  const claimIdleMs = deps.claimIdleMs ?? 60_000;

  /**
   * Judges an actual dated in the next periods against the forecast made before it, inside a
   * session of the detector's baselines (`ingest` refreshes and flushes them).
   */
  const judge = async (served: ServedModel, r: StreamRecord): Promise<Alert[]> => {
    const { state } = served;
    const gap = Math.round((r.date - state.lastDate(r.seriesId)) / periodDays(state.freq));
    if (r.y === null || gap < 1 || gap > served.model.forecaster.horizon) return [];
    const [fc] = forecastSeries(served, [r.seriesId], gap);
    const model = `${served.model.name}@${served.model.version}`;
    const raised: Alert[] = [];
    if (gap === 1) await forecasts.judgeForecast(served, r.seriesId, fc, true);
    const expected = fc.forecasts[gap - 1].yhat;
    forecasts.statsOf(served.tenantId).actual(r.y, expected);
    const finding = served.detector.observeActual(r.seriesId, r.y, expected);
    if (finding) {
      forecasts.statsOf(served.tenantId).anomaly();
      const { alert, pushed } = await alerts.raise(served.tenantId, {
        ...finding,
        seriesId: r.seriesId,
        date: formatDay(r.date),
        model,
      });
      if (pushed) raised.push(alert);
    }
    return raised;
  };

  const ingest = async (
    tenantId: string,
    records: readonly StreamRecord[],
    model?: string,
    lineOf: (index: number) => number = (i) => i + 1,
  ) => {
    const primary = await serving.get(tenantId, model);
    // Every record is checked before any is applied, so a bad line changes nothing.
    records.forEach((r, i) => {
      if (!primary.state.has(r.seriesId))
        throw bad(lineOf(i), 'series_id', `the production model does not know the series '${r.seriesId}'.`);
      const { freq } = primary.state;
      const step = periodDays(freq);
      const last = primary.state.lastDate(r.seriesId);
      if ((r.date - last) % step !== 0)
        throw bad(lineOf(i), 'date', `date ${formatDay(r.date)} is off the series' weekly grid.`);
      const ahead = (r.date - last) / step;
      if (r.y !== null && ahead > MAX_PERIODS_AHEAD[freq]) {
        const unit = freq === 'week' ? 'weeks' : 'days';
        throw bad(
          lineOf(i),
          'date',
          `date ${formatDay(r.date)} is ${ahead} ${unit} after the series' last one (${formatDay(last)}); a streamed actual may be at most ${MAX_PERIODS_AHEAD[freq]} ${unit} ahead.`,
        );
      }
    });
    const at = new Date().toISOString();
    await deps.store.withTenant(tenantId, (repo) =>
      repo.streamRecords.upsert(
        records.map((r) => ({
          series_id: r.seriesId,
          date: formatDay(r.date),
          y: r.y,
          drivers: JSON.stringify(r.drivers),
          received_at: at,
        })),
      ),
    );
    const result: IngestResult = { accepted: 0, appended: 0, corrected: 0, future: 0, stale: 0, alerts: [] };
    // With Redis the baselines are every process's: read once for these records, written after.
    // The records are stored already: unreadable baselines leave this process's copy to judge on.
    await primary.detector
      .refresh(records.map((r) => r.seriesId))
      .catch((e: unknown) => deps.onError?.('reading the anomaly baselines of streamed actuals failed', e));
    for (const r of records) {
      // The records are stored: a failure to judge one (the alert store unreachable, say) is
      // logged, and the record still applied here and told to the other processes.
      try {
        result.alerts.push(...(await judge(primary, r)));
      } catch (e) {
        deps.onError?.(`judging the streamed actual of series '${r.seriesId}' failed`, e);
      }
      const applied = primary.state.apply(r);
      result[applied.kind]++;
      counts[applied.kind]++;
      result.accepted++;
    }
    await primary.detector
      .flush()
      .catch((e: unknown) => deps.onError?.('writing the anomaly baselines of streamed actuals failed', e));
    const others = (await serving.loaded(tenantId)).filter((s) => s !== primary);
    applyChecked(others, records);
    if (redis) {
      // In messages of a bounded size: a subscriber whose unread output grows past Redis's
      // pub/sub buffer limits (8 MB for a minute, by default) is disconnected.
      for (let i = 0; i < records.length; i += APPLIED_MESSAGE_RECORDS) {
        const message: AppliedMessage = {
          origin,
          tenant: tenantId,
          records: records.slice(i, i + APPLIED_MESSAGE_RECORDS),
        };
        await redis
          .publish(channel, JSON.stringify(message))
          .catch((e: unknown) => deps.onError?.('telling the other processes of streamed records failed', e));
      }
    }
    return result;
  };

  /**
   * Ingests stream entries and acknowledges those that are done: ingested, unparseable, or refused
   * by the platform (a `SalescastError`, which a retry would meet again). Entries whose ingestion
   * failed otherwise (the database unreachable, say) stay pending, for `reclaim` to retry.
   */
  const handleEntries = async (conn: Redis, key: string, group: string, entries: [string, string[]][]) => {
    const byTenant = new Map<string, { records: StreamRecord[]; ids: string[] }>();
    const done: string[] = [];
    for (const [id, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      try {
        const record = parseStreamLine(f.record ?? '', 1);
        const batch = byTenant.get(f.tenant) ?? { records: [], ids: [] };
        batch.records.push(record);
        batch.ids.push(id);
        byTenant.set(f.tenant, batch);
      } catch (e) {
        deps.onError?.(`skipping stream entry ${id}`, e);
        done.push(id);
      }
    }
    for (const [tenantId, batch] of byTenant) {
      let { records, ids } = batch;
      while (records.length > 0) {
        try {
          await ingest(tenantId, records);
          done.push(...ids);
          break;
        } catch (e) {
          // Every record is checked before any is stored: one refused by its line is dropped, and
          // the others are ingested without it.
          const line = e instanceof SalescastError ? e.location?.line : undefined;
          if (line !== undefined && line >= 1 && line <= records.length) {
            deps.onError?.(`dropping stream entry ${ids[line - 1]} of tenant ${tenantId}`, e);
            done.push(ids[line - 1]);
            records = records.filter((_, k) => k !== line - 1);
            ids = ids.filter((_, k) => k !== line - 1);
          } else if (e instanceof SalescastError) {
            deps.onError?.(`dropping ${records.length} streamed records of tenant ${tenantId}`, e);
            done.push(...ids);
            break;
          } else {
            deps.onError?.(
              `ingesting ${records.length} streamed records of tenant ${tenantId} failed; they stay pending and are retried`,
              e,
            );
            break;
          }
        }
      }
    }
    if (done.length > 0) await conn.xack(key, group, ...done);
  };

  /**
   * Takes over entries pending longer than `claimIdleMs` in any consumer of the group (one that
   * crashed before acknowledging, or whose ingestion failed) and ingests them again; an entry
   * delivered MAX_DELIVERIES times is logged and dropped, so one that always fails cannot block
   * the group forever.
   */
  const reclaim = async (conn: Redis, key: string, group: string, name: string) => {
    const pending = (await conn.xpending(key, group, 'IDLE', claimIdleMs, '-', '+', 1000)) as [
      string,
      string,
      number,
      number,
    ][];
    const exhausted = pending.filter((p) => p[3] >= MAX_DELIVERIES).map((p) => p[0]);
    if (exhausted.length > 0) {
      deps.onError?.(
        `dropping ${exhausted.length} stream entries delivered ${MAX_DELIVERIES} times without success`,
        new Error(`stream entries ${exhausted.join(', ')}`),
      );
      await conn.xack(key, group, ...exhausted);
    }
    const retry = pending.filter((p) => p[3] < MAX_DELIVERIES).map((p) => p[0]);
    if (retry.length === 0) return;
    const claimed = (await conn.xclaim(key, group, name, claimIdleMs, ...retry)) as (
      | [string, string[]]
      | null
    )[];
    await handleEntries(
      conn,
      key,
      group,
      claimed.filter((e): e is [string, string[]] => e !== null),
    );
  };

  const consume = async (conn: Redis, key: string, group: string, name: string) => {
    let nextReclaim = 0;
    while (!stopping) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        if (Date.now() >= nextReclaim) {
          nextReclaim = Date.now() + claimIdleMs / 2;
          await reclaim(conn, key, group, name);
        }
        reply = (await conn.xreadgroup(
          'GROUP',
          group,
          name,
          // Small enough that a read is ingested well within claimIdleMs, even for a model whose
          // judging forecasts the whole panel per record: a slower read would be taken over and
          // ingested twice.
          'COUNT',
          READ_COUNT,
          'BLOCK',
          500,
          'STREAMS',
          key,
          '>',
        )) as [string, [string, string[]][]][] | null;
        if (reply) await handleEntries(conn, key, group, reply[0][1]);
      } catch (e) {
        if (stopping) return;
        deps.onError?.('reading the Redis stream failed', e);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  return {
    counts,
    async ingestNdjson(p, text, model) {
      requirePermission(p, 'datasets:upload');
      const records: StreamRecord[] = [];
      const lineNumbers: number[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === '') continue;
        records.push(parseStreamLine(line, i + 1));
        lineNumbers.push(i + 1);
        if (records.length > MAX_STREAM_RECORDS) {
          throw new SalescastError(
            'PAYLOAD_TOO_LARGE',
            `A stream request may carry at most ${MAX_STREAM_RECORDS} records; send the rest in another request.`,
          );
        }
      }
      if (records.length === 0) throw new SalescastError('INVALID_DATA', 'The body has no records.');
      return ingest(p.tenantId, records, model, (i) => lineNumbers[i]);
    },
    ingest,
    async startConsumer() {
      if (!redis || running) return;
      const key = streamKey(deps.redisPrefix ?? 'salescast:');
      const group = 'salescast-stream';
      consumer = redis.duplicate();
      try {
        await consumer.xgroup('CREATE', key, group, '$', 'MKSTREAM');
      } catch (e) {
        if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
      }
      running = consume(consumer, key, group, `${hostname()}-${process.pid}`);
    },
    async startSync() {
      if (!redis || subscriber) return;
      const sub = redis.duplicate({ connectionName: `${channel}:${origin}` });
      subscriber = sub;
      sub.on('message', (from: string, text: string) => {
        if (from !== channel) return;
        applyFromPeer(text).catch((e: unknown) =>
          deps.onError?.('applying streamed records from another process failed', e),
        );
      });
      // Pub/sub keeps nothing for a subscriber that is away: once the connection is back, the
      // records stored meanwhile are read from the database. The margin covers the other
      // processes' clocks, which stamp what they receive.
      let lostAt: number | undefined;
      sub.on('close', () => {
        if (!stopping) lostAt ??= Date.now();
      });
      sub.on('ready', () => {
        if (lostAt === undefined) return;
        const since = new Date(lostAt - CATCH_UP_MARGIN_MS).toISOString();
        lostAt = undefined;
        // Subscribed again first (a second SUBSCRIBE is harmless), so that a record stored after
        // the catch-up's read reaches this process by the channel.
        sub
          .subscribe(channel)
          .then(() => catchUp(since))
          .catch((e: unknown) =>
            deps.onError?.('catching up on streamed records after a reconnection failed', e),
          );
      });
      await sub.subscribe(channel);
    },
    async close() {
      stopping = true;
      await running;
      if (consumer) await consumer.quit().catch(() => consumer?.disconnect());
      if (subscriber) await subscriber.quit().catch(() => subscriber?.disconnect());
    },
  };
}
