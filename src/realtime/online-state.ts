/**
 * Online feature state: for every series of a production model, the recent rows (target and
 * drivers) that its lag, rolling and driver features read, extended as actuals stream in. Features
 * are not recomputed here: forecasts run the forecaster's own feature code on `panelOf(...)`, the
 * same code that built the training matrix, so serving and training cannot disagree as long as the
 * window covers every feature's lookback (`lookbackOf`).
 */
import { createHash } from 'node:crypto';
import { type Frequency, formatDay, periodDays } from '../core/dates.js';
import { SalescastError } from '../core/errors.js';
import { isInputNumber, LARGEST_INPUT } from '../core/magnitude.js';
import type { LagTransforms } from '../features/feature-set.js';
import { defaultLags, defaultLagTransforms } from '../features/feature-set.js';
import { type ExogColumn, isCategorical, type Panel, seriesCount } from '../features/panel.js';
import { LeftOutTargetSums } from '../features/target-encoding.js';
import type { ForecasterOptions } from '../forecast/forecaster.js';

/** A driver value as it arrives on the wire: a number, a category label, or missing. */
export type DriverValue = number | string | null;

/** One streamed observation (an actual) or driver update (an event) of a series. */
export interface StreamRecord {
  readonly seriesId: string;
  /** Day number. */
  readonly date: number;
  /** The actual; null for an event that only sets drivers. */
  readonly y: number | null;
  readonly drivers: Readonly<Record<string, DriverValue>>;
}

/**
 * Driver features that look further back than the target features: recent-price means (4 weeks)
 * and promotion distances (60 periods), plus the 28-period level of conformal intervals.
 */
const DRIVER_LOOKBACK = 64;

/** Exponential weights below this are treated as zero when sizing the window of an `ewm` feature. */
const EWM_NEGLIGIBLE = 1e-12;

/**
 * Rows of history a forecaster's features read before a forecast origin, for `freq`: the largest
 * lag, lag + window of every lag transform, the span an `ewm` needs before older values weigh less
 * than 1e-12, the driver windows, and `horizon` rows for recursive steps that read their own lags.
 */
export function lookbackOf(options: ForecasterOptions, freq: Frequency, horizon: number): number {
  const lags = options.lags ?? defaultLags(freq);
  const transforms: LagTransforms = options.lagTransforms ?? defaultLagTransforms(freq);
  let need = Math.max(DRIVER_LOOKBACK, ...lags);
  for (const [key, list] of Object.entries(transforms)) {
    const lag = Number(key);
    for (const t of list) {
      const [a, b] = t.spec.args;
      const span =
        t.spec.kind === 'ewm'
          ? Math.ceil(Math.log(EWM_NEGLIGIBLE) / Math.log(1 - Math.min(a, 0.999999)))
          : t.spec.kind === 'seasonal_mean'
            ? a * b
            : a;
      need = Math.max(need, lag + span);
    }
  }
  return need + horizon;
}

interface SeriesRows {
  /** Day number of `y[0]`. */
  start: number;
  y: number[];
  /**
   * Training weights (stockout days count less), when the history has them: features prepared over
   * the panel, such as target encodings, weigh rows as in training. A streamed actual weighs 1.
   */
  weight: number[] | undefined;
  /** Numeric drivers, or category codes into the history's levels (-1 = missing). */
  exog: Record<string, number[]>;
  /** Driver updates for dates after the last row, by day number. */
  future: Map<number, Record<string, DriverValue>>;
  version: number;
  digest: string | undefined;
}

/** What `apply` did with a record. */
export interface ApplyResult {
  /** The row index of the record's date within the series' window, before the update. */
  readonly kind: 'appended' | 'corrected' | 'future' | 'stale';
  /** Periods between the previous last row and this one (1 = the next period). */
  readonly gap: number;
}

/**
 * The live window of every series of one model version. `history` is the panel the model was
 * trained on; the window keeps its last `lookback` rows per series (never fewer than it needs)
 * and is trimmed lazily when it grows past twice that.
 *
 * A model whose features read every earlier row of every series (target encodings) passes
 * `transformTarget`, its target as its features read it: the rows leaving the window are then
 * summed per date and category (`LeftOutTargetSums`) and handed on with the window
 * (`Panel.leftOut`), so such a model is served the features it was trained on without keeping
 * every row.
 */
export class OnlineState {
  readonly freq: Frequency;
  private readonly step: number;
  private readonly rows = new Map<string, SeriesRows>();
  private readonly levels: Readonly<Record<string, readonly string[]>>;
  private readonly numeric: readonly string[];
  private readonly categorical: readonly string[];
  private readonly leftOut: LeftOutTargetSums | undefined;

  constructor(
    history: Panel,
    readonly lookback: number,
    private readonly transformTarget?: (rows: Panel) => Float64Array,
  ) {
    this.freq = history.freq;
    this.step = periodDays(history.freq);
    const levels: Record<string, readonly string[]> = {};
    const numeric: string[] = [];
    const categorical: string[] = [];
    for (const [name, col] of Object.entries(history.exog)) {
      if (isCategorical(col)) {
        levels[name] = col.levels;
        categorical.push(name);
      } else numeric.push(name);
    }
    this.levels = levels;
    this.numeric = numeric;
    this.categorical = categorical;
    this.leftOut = transformTarget && categorical.length > 0 ? new LeftOutTargetSums() : undefined;
    const target = this.leftOut && transformTarget?.(history);
    for (let s = 0; s < seriesCount(history); s++) {
      const b = history.offsets[s + 1];
      const a = Math.max(history.offsets[s], b - lookback);
      if (target) this.leftOut?.add(history, target, history.offsets[s], a);
      const exog: Record<string, number[]> = {};
      for (const [name, col] of Object.entries(history.exog)) {
        exog[name] = Array.from(isCategorical(col) ? col.codes.subarray(a, b) : col.subarray(a, b));
      }
      this.rows.set(history.seriesIds[s], {
        start: history.dates[a],
        y: Array.from(history.y.subarray(a, b)),
        weight: history.weight ? Array.from(history.weight.subarray(a, b)) : undefined,
        exog,
        future: new Map(),
        version: 0,
        digest: undefined,
      });
    }
  }

  has(seriesId: string): boolean {
    return this.rows.has(seriesId);
  }

  get seriesIds(): string[] {
    return [...this.rows.keys()];
  }

  /** Day number of the last row of a series (its newest actual or gap). */
  lastDate(seriesId: string): number {
    const r = this.series(seriesId);
    return r.start + (r.y.length - 1) * this.step;
  }

  /** Mean |y| of the series' last `window` observed values (1 when there are none): its size. */
  level(seriesId: string, window = 28): number {
    const { y } = this.series(seriesId);
    let sum = 0;
    let n = 0;
    for (let i = y.length - 1; i >= 0 && n < window; i--) {
      if (Number.isNaN(y[i])) continue;
      sum += Math.abs(y[i]);
      n++;
    }
    return n > 0 && sum > 0 ? sum / n : 1;
  }

  /** How many records have changed the series since the state was built: cheap to compare. */
  versionOf(seriesId: string): number {
    return this.series(seriesId).version;
  }

  /**
   * A digest of what a forecast of the series reads (its window and pending driver updates):
   * equal digests mean equal forecasts, in any process, so it can key a shared prediction cache.
   */
  digest(seriesId: string): string {
    const r = this.series(seriesId);
    if (r.digest === undefined) {
      const hash = createHash('sha1');
      hash.update(`${r.start}|`);
      hash.update(new Uint8Array(Float64Array.from(r.y).buffer));
      for (const name of Object.keys(r.exog).sort())
        hash.update(new Uint8Array(Float64Array.from(r.exog[name]).buffer));
      hash.update(JSON.stringify([...r.future].sort((a, b) => a[0] - b[0])));
      r.digest = hash.digest('base64url');
    }
    return r.digest;
  }

  /**
   * Applies a streamed record. An actual dated after the last row extends the window (missing
   * periods in between become gaps); one dated inside the window corrects that row; one older
   * than the window is stale and ignored. An event after the last row is kept as a future driver.
   * Throws INVALID_DATA for an unknown series or a date off the frequency grid.
   */
  apply(record: StreamRecord): ApplyResult {
    const r = this.series(record.seriesId);
    const offset = record.date - r.start;
    if (offset % this.step !== 0) {
      throw new SalescastError(
        'INVALID_DATA',
        `date ${formatDay(record.date)} of series '${record.seriesId}' is off its ${this.freq === 'week' ? 'weekly' : 'daily'} grid.`,
        { field: 'date' },
      );
    }
    const index = offset / this.step;
    const gap = index - (r.y.length - 1);
    if (index < 0) return { kind: 'stale', gap };
    r.version++;
    r.digest = undefined;
    if (index >= r.y.length && record.y === null) {
      r.future.set(record.date, { ...r.future.get(record.date), ...record.drivers });
      return { kind: 'future', gap };
    }
    const kind = index < r.y.length ? 'corrected' : 'appended';
    while (r.y.length <= index) {
      const d = r.start + r.y.length * this.step;
      const planned = r.future.get(d);
      r.future.delete(d);
      r.y.push(Number.NaN);
      r.weight?.push(1);
      for (const name of this.numeric) r.exog[name].push(Number.NaN);
      for (const name of this.categorical) r.exog[name].push(-1);
      if (planned) this.setDrivers(r, r.y.length - 1, planned);
    }
    if (record.y !== null) {
      r.y[index] = record.y;
      if (r.weight) r.weight[index] = 1;
    }
    this.setDrivers(r, index, record.drivers);
    if (r.y.length > 2 * this.lookback) this.trim(record.seriesId, r);
    return { kind, gap };
  }

  /**
   * The windows of `seriesIds` (default: every series) as a panel, in the given order: the
   * history a forecast starts from.
   */
  panelOf(seriesIds: readonly string[] = this.seriesIds): Panel {
    const parts = seriesIds.map((id) => {
      const r = this.series(id);
      // With left-out sums, every row not yet summed is in the panel, so none is missed.
      return { r, from: this.leftOut ? 0 : Math.max(0, r.y.length - this.lookback), to: r.y.length };
    });
    const panel = this.panelOfRows(seriesIds, parts);
    const leftOut = this.leftOut?.targets;
    return leftOut ? { ...panel, leftOut } : panel;
  }

  /** Rows `from..to` of each series' rows `r`, as a panel of the series `seriesIds`. */
  private panelOfRows(
    seriesIds: readonly string[],
    parts: readonly { r: SeriesRows; from: number; to: number }[],
  ): Panel {
    const offsets = new Int32Array(parts.length + 1);
    parts.forEach((p, i) => {
      offsets[i + 1] = offsets[i] + p.to - p.from;
    });
    const n = offsets[parts.length];
    const dates = new Int32Array(n);
    const y = new Float64Array(n);
    const weight = parts.some((p) => p.r.weight) ? new Float64Array(n).fill(1) : undefined;
    const num: Record<string, Float64Array> = {};
    const codes: Record<string, Int32Array> = {};
    for (const name of this.numeric) num[name] = new Float64Array(n);
    for (const name of this.categorical) codes[name] = new Int32Array(n);
    parts.forEach(({ r, from }, i) => {
      for (let k = offsets[i], j = from; k < offsets[i + 1]; k++, j++) {
        dates[k] = r.start + j * this.step;
        y[k] = r.y[j];
        if (weight && r.weight) weight[k] = r.weight[j];
        for (const name of this.numeric) num[name][k] = r.exog[name][j];
        for (const name of this.categorical) codes[name][k] = r.exog[name][j];
      }
    });
    const exog: Panel['exog'] = {
      ...num,
      ...Object.fromEntries(this.categorical.map((c) => [c, { codes: codes[c], levels: this.levels[c] }])),
    };
    return {
      freq: this.freq,
      seriesIds: [...seriesIds],
      offsets,
      dates,
      y,
      exog,
      ...(weight ? { weight } : {}),
    };
  }

  /**
   * INVALID_ARGUMENT naming `<field>.<driver>` unless each of `drivers` is a driver of the model's
   * history, of its kind: a number (or null) for a numeric driver; text, a number or null for a
   * text one; any number within ±LARGEST_INPUT. A driver the model does not know would otherwise
   * be dropped without a word.
   */
  checkDrivers(drivers: Readonly<Record<string, DriverValue>>, field: string): void {
    for (const [name, value] of Object.entries(drivers)) {
      const numeric = this.numeric.includes(name);
      if (!numeric && !this.categorical.includes(name)) {
        const known = [...this.numeric, ...this.categorical];
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `${field}.${name}: the model has no driver '${name}' (${known.length > 0 ? `its drivers: ${known.join(', ')}` : 'it has no drivers'}).`,
          { field: `${field}.${name}` },
        );
      }
      if (numeric && typeof value === 'string') {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `${field}.${name} is a numeric driver: give a number or null; got '${value}'.`,
          { field: `${field}.${name}` },
        );
      }
      if (typeof value === 'number' && !isInputNumber(value)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `${field}.${name} must be within ±${LARGEST_INPUT}; got ${value}.`,
          { field: `${field}.${name}` },
        );
      }
    }
  }

  /**
   * Known future drivers of `seriesIds` for the `h` periods after each one's last row: the
   * streamed events, overridden by `given` (series id → day number → drivers). Undefined when
   * there are none, so the forecast sees only calendar features, as without drivers at training.
   */
  futureOf(
    seriesIds: readonly string[],
    h: number,
    given?: ReadonlyMap<string, ReadonlyMap<number, Readonly<Record<string, DriverValue>>>>,
  ): Panel | undefined {
    const ids: string[] = [];
    const dates: number[] = [];
    const values: Record<string, DriverValue[]> = {};
    for (const name of [...this.numeric, ...this.categorical]) values[name] = [];
    let any = false;
    for (const id of seriesIds) {
      const r = this.series(id);
      const last = this.lastDate(id);
      for (let k = 1; k <= h; k++) {
        const d = last + k * this.step;
        const drivers = { ...r.future.get(d), ...given?.get(id)?.get(d) };
        if (Object.keys(drivers).length > 0) any = true;
        ids.push(id);
        dates.push(d);
        for (const name of this.numeric) {
          const v = drivers[name];
          values[name].push(typeof v === 'number' ? v : Number.NaN);
        }
        for (const name of this.categorical) {
          const v = drivers[name];
          values[name].push(v === undefined || v === null ? null : String(v));
        }
      }
    }
    if (!any) return undefined;
    const n = ids.length;
    const offsets = new Int32Array(seriesIds.length + 1);
    for (let i = 0; i < seriesIds.length; i++) offsets[i + 1] = offsets[i] + h;
    const exog: Record<string, ExogColumn> = {};
    for (const name of this.numeric) exog[name] = Float64Array.from(values[name] as number[]);
    for (const name of this.categorical) {
      const index = new Map(this.levels[name].map((l, i) => [l, i]));
      exog[name] = {
        codes: Int32Array.from(values[name], (v) => (v === null ? -1 : (index.get(String(v)) ?? -1))),
        levels: this.levels[name],
      };
    }
    return {
      freq: this.freq,
      seriesIds: [...seriesIds],
      offsets,
      dates: Int32Array.from(dates),
      y: new Float64Array(n).fill(Number.NaN),
      exog,
    };
  }

  private series(seriesId: string): SeriesRows {
    const r = this.rows.get(seriesId);
    if (!r) {
      throw new SalescastError(
        'NOT_FOUND',
        `The production model does not know the series '${seriesId}'; it forecasts only the series it was trained on.`,
        { field: 'series_id' },
      );
    }
    return r;
  }

  private setDrivers(r: SeriesRows, index: number, drivers: Readonly<Record<string, DriverValue>>): void {
    for (const [name, v] of Object.entries(drivers)) {
      const col = r.exog[name];
      if (!col) continue;
      if (this.levels[name]) {
        col[index] = v === null ? -1 : this.levels[name].indexOf(String(v));
      } else {
        col[index] = typeof v === 'number' ? v : v === null ? Number.NaN : Number(v);
      }
    }
  }

  private trim(seriesId: string, r: SeriesRows): void {
    const drop = r.y.length - this.lookback;
    if (this.leftOut && this.transformTarget) {
      const leaving = this.panelOfRows([seriesId], [{ r, from: 0, to: drop }]);
      this.leftOut.add(leaving, this.transformTarget(leaving), 0, drop);
    }
    r.y.splice(0, drop);
    r.weight?.splice(0, drop);
    for (const col of Object.values(r.exog)) col.splice(0, drop);
    r.start += drop * this.step;
  }
}
