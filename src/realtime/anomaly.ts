/**
 * Online anomaly detection, pure and per series:
 * - residual anomalies: the robust z-score of each new actual's residual (actual − one-step
 *   forecast) against the median and MAD of the series' recent residuals;
 * - prediction spikes and drops: the robust z-score of each new one-step forecast against the
 *   series' recent forecasts.
 * The window spans whole seasons (8 weeks of days, 26 weeks of weeks) so every weekday weighs the
 * same in the baseline; findings are kept out of it, so a spike does not widen the band that
 * judges the next value.
 */
import type { Frequency } from '../core/dates.js';
import { normalQuantile } from '../decide/normal.js';

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AnomalyKind = 'actual_spike' | 'actual_drop' | 'forecast_spike' | 'forecast_drop';

export interface AnomalyOptions {
  /** |z| at or above which a value is anomalous; default 2.5. */
  readonly threshold?: number;
  /** Baseline values per series; default 56 (daily) or 26 (weekly). */
  readonly window?: number;
  /** Baseline values needed before anything is judged; default 14 (daily) or 8 (weekly). */
  readonly minHistory?: number;
}

export interface Finding {
  readonly kind: AnomalyKind;
  readonly severity: Severity;
  /** Robust z-score. */
  readonly score: number;
  readonly value: number;
  /** What was expected: the forecast for residuals, the baseline median for forecasts. */
  readonly expected: number;
}

/** Consistency constant: 1.4826 × MAD estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

/**
 * The severity of a robust z-score: minor from `threshold`, major from 1.6×, critical from 2.4×
 * (4 and 6 at the default 2.5); null below the threshold.
 */
export function severityOf(absZ: number, threshold: number): Severity | null {
  if (!(absZ >= threshold)) return null;
  if (absZ >= 2.4 * threshold) return 'critical';
  if (absZ >= 1.6 * threshold) return 'major';
  return 'minor';
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * Robust z of `x` against `values`: (x − median) / (1.4826 · MAD), with the scale floored at
 * `minScale` so that a run of identical values (a series of zeros) does not make every change
 * infinitely surprising.
 */
export function robustZ(
  values: ArrayLike<number>,
  x: number,
  minScale: number,
): { z: number; median: number; scale: number } {
  const sorted = Float64Array.from(values).sort();
  const m = median(sorted);
  const dev = sorted.map((v) => Math.abs(v - m)).sort();
  const scale = Math.max(MAD_TO_SIGMA * median(dev), minScale);
  return { z: (x - m) / scale, median: m, scale };
}

/** Variance-stabilising transform of a count (negative forecasts count as 0). */
function anscombe(x: number): number {
  return 2 * Math.sqrt(Math.max(x, 0) + 0.375);
}

/** Consecutive findings after which the detector treats the values as a level shift. */
const LEVEL_SHIFT_RUN = 3;

/** A fixed-size ring of the most recent values. */
class Ring {
  private readonly buf: Float64Array;
  private next = 0;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Float64Array(capacity);
  }
  push(v: number): void {
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.buf.length;
    this.length = Math.min(this.length + 1, this.buf.length);
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
  /** The values, oldest first. */
  ordered(): number[] {
    if (this.length < this.buf.length) return Array.from(this.buf.subarray(0, this.length));
    return [...this.buf.subarray(this.next), ...this.buf.subarray(0, this.next)];
  }
}

/** One series' baseline as a store keeps it. */
export interface StoredBaseline {
  /** Oldest first, at most the detector's window. */
  readonly values: readonly number[];
  /** Findings in a row so far (a level shift at LEVEL_SHIFT_RUN). */
  readonly run: number;
  /** What the last value judged was (`observeForecast`'s `signature`), so it is judged once. */
  readonly judged?: string;
}

/**
 * Where the detectors of every process keep their baselines (Redis, shared-baselines.ts), keyed by
 * model version, kind and series. Without one a detector's baselines are its process's own.
 */
export interface BaselineStore {
  read(keys: readonly string[]): Promise<(StoredBaseline | null)[]>;
  write(entries: ReadonlyArray<readonly [string, StoredBaseline]>): Promise<void>;
}

type BaselineKind = 'r' | 'f';

/**
 * The standard deviation a forecast's quantiles imply: its outermost levels on either side of the
 * median, read as normal quantiles (P10–P90 span 2.56 σ). 0 without such a pair.
 */
export function quantileSpread(quantiles: Readonly<Record<string, number>>): number {
  const levels = Object.keys(quantiles)
    .map(Number)
    .sort((a, b) => a - b);
  const lo = levels[0];
  const hi = levels[levels.length - 1];
  if (!(lo < 0.5 && hi > 0.5)) return 0;
  const width = quantiles[String(hi)] - quantiles[String(lo)];
  return width > 0 ? width / (normalQuantile(hi) - normalQuantile(lo)) : 0;
}

/**
 * The detectors of one model version, with a baseline per series. With a `BaselineStore`, the
 * baselines are shared: `refresh` reads the series' stored ones before judging, and `flush`
 * writes back what judging changed; between the two, judging runs on this process's copy.
 */
export class AnomalyDetector {
  readonly threshold: number;
  private readonly window: number;
  private readonly minHistory: number;
  private readonly residuals = new Map<string, Ring>();
  private readonly forecasts = new Map<string, Ring>();
  private readonly runs = new Map<string, number>();
  private readonly judged = new Map<string, string>();
  /** `kind|series` of baselines changed since the last flush. */
  private readonly dirty = new Set<string>();

  constructor(
    freq: Frequency,
    options: AnomalyOptions = {},
    private readonly shared?: { readonly store: BaselineStore; readonly modelKey: string },
  ) {
    this.threshold = options.threshold ?? 2.5;
    this.window = options.window ?? (freq === 'week' ? 26 : 56);
    this.minHistory = options.minHistory ?? (freq === 'week' ? 8 : 14);
    if (!(this.threshold > 0)) throw new RangeError('threshold must be > 0');
  }

  /** Reads the stored baselines of `seriesIds` (both kinds) into this copy, after writing its own. */
  async refresh(seriesIds: readonly string[]): Promise<void> {
    if (!this.shared) return;
    await this.flush();
    const ids = [...new Set(seriesIds)];
    const keys = ids.flatMap((id) => [`r|${id}`, `f|${id}`]);
    const stored = await this.shared.store.read(keys.map((k) => this.storeKey(k)));
    keys.forEach((key, i) => {
      const b = stored[i];
      if (!b) return;
      const ring = new Ring(this.window);
      for (const v of b.values.slice(-this.window)) ring.push(v);
      const [kind, seriesId] = [key[0] as BaselineKind, key.slice(2)];
      (kind === 'r' ? this.residuals : this.forecasts).set(seriesId, ring);
      this.runs.set(key, b.run);
      if (b.judged === undefined) this.judged.delete(key);
      else this.judged.set(key, b.judged);
    });
  }

  /** Writes the baselines judging changed since the last flush. */
  async flush(): Promise<void> {
    if (!this.shared || this.dirty.size === 0) return;
    const entries = [...this.dirty].map((key): [string, StoredBaseline] => {
      const ring = (key[0] === 'r' ? this.residuals : this.forecasts).get(key.slice(2));
      const judged = this.judged.get(key);
      return [
        this.storeKey(key),
        {
          values: ring?.ordered() ?? [],
          run: this.runs.get(key) ?? 0,
          ...(judged === undefined ? {} : { judged }),
        },
      ];
    });
    this.dirty.clear();
    await this.shared.store.write(entries);
  }

  /**
   * Judges an actual against its one-step forecast. Sales are counts whose noise grows with their
   * size (a promotion day varies more than a quiet one), so the residual is taken on the Anscombe
   * scale 2√(x + 3/8), where count noise has unit variance whatever the level; the scale is
   * floored at 1, the Poisson noise, so a slow mover selling 2 where 0.3 was expected is ordinary.
   */
  observeActual(seriesId: string, actual: number, forecast: number): Finding | null {
    const residual = anscombe(actual) - anscombe(forecast);
    return this.judge('r', seriesId, residual, 1, (z) => ({
      kind: z > 0 ? 'actual_spike' : 'actual_drop',
      value: actual,
      expected: forecast,
    }));
  }

  /**
   * Judges a new one-step forecast against the series' recent one-step forecasts. `spread` is the
   * forecast's own standard deviation (from its quantiles; 0 when unknown): a move smaller than
   * the model's uncertainty is not a spike, however still the recent forecasts were. A forecast
   * whose `signature` (its date and value) is that of the last one judged is not judged again:
   * another process, or an earlier request, made the same forecast from the same state.
   */
  observeForecast(
    seriesId: string,
    forecast: number,
    level: number,
    spread = 0,
    signature?: string,
  ): Finding | null {
    if (signature !== undefined) {
      const key = `f|${seriesId}`;
      if (this.judged.get(key) === signature) return null;
      this.judged.set(key, signature);
    }
    const minScale = Math.max(0.5, 0.1 * level, Number.isFinite(spread) ? spread : 0);
    return this.judge('f', seriesId, forecast, minScale, (z, m) => ({
      kind: z > 0 ? 'forecast_spike' : 'forecast_drop',
      value: forecast,
      expected: m,
    }));
  }

  private storeKey(key: string): string {
    return `${this.shared!.modelKey}:${key}`;
  }

  private judge(
    kind: BaselineKind,
    seriesId: string,
    x: number,
    minScale: number,
    describe: (z: number, median: number) => Pick<Finding, 'kind' | 'value' | 'expected'>,
  ): Finding | null {
    if (!Number.isFinite(x)) return null;
    const rings = kind === 'r' ? this.residuals : this.forecasts;
    let ring = rings.get(seriesId);
    if (!ring) {
      ring = new Ring(this.window);
      rings.set(seriesId, ring);
    }
    let finding: Finding | null = null;
    if (ring.length >= this.minHistory) {
      const { z, median: m } = robustZ(ring.values(), x, minScale);
      const severity = severityOf(Math.abs(z), this.threshold);
      if (severity) finding = { ...describe(z, m), severity, score: z };
    }
    // A run of findings is a new normal (a level shift), not a run of anomalies: after
    // LEVEL_SHIFT_RUN in a row the values enter the baseline, which then follows them.
    const key = `${kind}|${seriesId}`;
    const run = finding ? (this.runs.get(key) ?? 0) + 1 : 0;
    this.runs.set(key, run);
    if (!finding || run >= LEVEL_SHIFT_RUN) ring.push(x);
    if (this.shared) this.dirty.add(key);
    return finding;
  }
}
