/**
 * Rolling-window statistics of each tenant's recent predictions and forecast errors. A book
 * (`RollingStatsBook`) holds every tenant's: in memory for one process (`localStatsBook`, a ring of
 * timestamped events per tenant, summarised over any window up to its span), or shared by every
 * API process through Redis (`RedisStatsBook`, shared-rolling-stats.ts).
 *
 * The ring is columns of typed arrays, not an array of event objects: every forecast request
 * records an event, and 100,000 small objects that each live until the ring comes round again
 * are what a garbage collector copies and marks most expensively. As objects they made the
 * serving process pause for tens of milliseconds once the ring had filled.
 */

export interface WindowStats {
  /** Window length in seconds. */
  window_seconds: number;
  predictions: number;
  /** Forecast rows served. */
  prediction_rows: number;
  /** Actuals judged against a one-step forecast. */
  actuals: number;
  /** Mean absolute error of those one-step forecasts; null without actuals. */
  mae: number | null;
  /** Mean signed error (forecast − actual): > 0 means over-forecasting. */
  bias: number | null;
  /** Weighted absolute percentage error: Σ|error| / Σ|actual|. */
  wape: number | null;
  anomalies: number;
}

/** Records the events of one tenant. */
export interface StatsRecorder {
  prediction(rows: number): void;
  /** An actual judged against its one-step forecast. */
  actual(actual: number, forecast: number): void;
  anomaly(): void;
}

/** Every tenant's rolling statistics. */
export interface RollingStatsBook {
  of(tenantId: string): StatsRecorder;
  /** The summary of the tenant's events of the last `seconds`. */
  summary(tenantId: string, seconds: number): Promise<WindowStats>;
  /** Stops background work and writes what is pending. */
  close(): Promise<void>;
}

/** Summarises sums of events into the reported statistics. */
export function windowStats(
  seconds: number,
  sums: {
    predictions: number;
    rows: number;
    actuals: number;
    absError: number;
    signedError: number;
    absActual: number;
    anomalies: number;
  },
): WindowStats {
  const { actuals } = sums;
  return {
    window_seconds: seconds,
    predictions: sums.predictions,
    prediction_rows: sums.rows,
    actuals,
    mae: actuals > 0 ? sums.absError / actuals : null,
    bias: actuals > 0 ? sums.signedError / actuals : null,
    wape: sums.absActual > 0 ? sums.absError / sums.absActual : null,
    anomalies: sums.anomalies,
  };
}

/** The book of one process: a ring per tenant. */
export function localStatsBook(now: () => number = Date.now): RollingStatsBook {
  const rings = new Map<string, RollingStats>();
  const of = (tenantId: string) => {
    let ring = rings.get(tenantId);
    if (!ring) {
      ring = new RollingStats(now);
      rings.set(tenantId, ring);
    }
    return ring;
  };
  return {
    of,
    summary: async (tenantId, seconds) => of(tenantId).summary(seconds),
    close: async () => undefined,
  };
}

/** Event kinds in the ring. */
const PREDICTION = 0;
const ACTUAL = 1;
const ANOMALY = 2;

/** Events kept per tenant; older ones fall out even inside the window (bounded memory). */
export const CAPACITY = 100_000;

/** Events room is made for at first; it doubles up to CAPACITY, so a quiet tenant costs little. */
const INITIAL_ROOM = 1024;

export class RollingStats implements StatsRecorder {
  private t = new Float64Array(INITIAL_ROOM);
  private kind = new Uint8Array(INITIAL_ROOM);
  /** Rows of a prediction; the signed error of an actual. */
  private value = new Float64Array(INITIAL_ROOM);
  /** The actual of an actual event. */
  private actualValue = new Float64Array(INITIAL_ROOM);
  private size = 0;
  /** Where the next event goes: the end until the ring is full, then the oldest event. */
  private head = 0;

  constructor(private readonly now: () => number = Date.now) {}

  prediction(rows: number): void {
    this.add(PREDICTION, rows, 0);
  }

  /** An actual judged against its one-step forecast. */
  actual(actual: number, forecast: number): void {
    this.add(ACTUAL, forecast - actual, actual);
  }

  anomaly(): void {
    this.add(ANOMALY, 0, 0);
  }

  /** The summary of the events of the last `seconds`. */
  summary(seconds: number): WindowStats {
    const from = this.now() - seconds * 1000;
    let predictions = 0;
    let rows = 0;
    let actuals = 0;
    let abs = 0;
    let signed = 0;
    let total = 0;
    let anomalies = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.t[i] < from) continue;
      const kind = this.kind[i];
      if (kind === PREDICTION) {
        predictions++;
        rows += this.value[i];
      } else if (kind === ACTUAL) {
        const error = this.value[i];
        actuals++;
        abs += Math.abs(error);
        signed += error;
        total += Math.abs(this.actualValue[i]);
      } else anomalies++;
    }
    return windowStats(seconds, {
      predictions,
      rows,
      actuals,
      absError: abs,
      signedError: signed,
      absActual: total,
      anomalies,
    });
  }

  private add(kind: number, value: number, actual: number): void {
    if (this.size === this.t.length && this.size < CAPACITY) this.grow();
    const i = this.head;
    this.t[i] = this.now();
    this.kind[i] = kind;
    this.value[i] = value;
    this.actualValue[i] = actual;
    // The ring wraps only once it holds CAPACITY events; until then the next slot is the end.
    this.head = (i + 1) % CAPACITY;
    if (this.size < CAPACITY) this.size++;
  }

  /** Doubles the room while the ring has not yet wrapped (it only wraps at CAPACITY). */
  private grow(): void {
    const room = Math.min(CAPACITY, this.t.length * 2);
    const widen = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const wider = make(room);
      wider.set(a);
      return wider;
    };
    this.t = widen(this.t, (n) => new Float64Array(n));
    this.kind = widen(this.kind, (n) => new Uint8Array(n));
    this.value = widen(this.value, (n) => new Float64Array(n));
    this.actualValue = widen(this.actualValue, (n) => new Float64Array(n));
  }
}
