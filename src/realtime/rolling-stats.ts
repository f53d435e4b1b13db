/**
 * Rolling-window statistics of one tenant's recent predictions and forecast errors, kept in memory
 * per process: a ring of timestamped events, summarised over any window up to its span.
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

interface Event {
  t: number;
  kind: 0 | 1 | 2;
  rows: number;
  error: number;
  actual: number;
}

/** Events kept per tenant; older ones fall out even inside the window (bounded memory). */
const CAPACITY = 100_000;

export class RollingStats {
  private readonly events: Event[] = [];
  private head = 0;

  constructor(private readonly now: () => number = Date.now) {}

  prediction(rows: number): void {
    this.add({ t: this.now(), kind: 0, rows, error: 0, actual: 0 });
  }

  /** An actual judged against its one-step forecast. */
  actual(actual: number, forecast: number): void {
    this.add({ t: this.now(), kind: 1, rows: 0, error: forecast - actual, actual });
  }

  anomaly(): void {
    this.add({ t: this.now(), kind: 2, rows: 0, error: 0, actual: 0 });
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
    for (const e of this.events) {
      if (e.t < from) continue;
      if (e.kind === 0) {
        predictions++;
        rows += e.rows;
      } else if (e.kind === 1) {
        actuals++;
        abs += Math.abs(e.error);
        signed += e.error;
        total += Math.abs(e.actual);
      } else anomalies++;
    }
    return {
      window_seconds: seconds,
      predictions,
      prediction_rows: rows,
      actuals,
      mae: actuals > 0 ? abs / actuals : null,
      bias: actuals > 0 ? signed / actuals : null,
      wape: total > 0 ? abs / total : null,
      anomalies,
    };
  }

  private add(e: Event): void {
    if (this.events.length < CAPACITY) this.events.push(e);
    else {
      this.events[this.head] = e;
      this.head = (this.head + 1) % CAPACITY;
    }
  }
}
