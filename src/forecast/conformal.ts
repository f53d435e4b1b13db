/**
 * Split-conformal prediction intervals from backtest residuals. Calibration backtests give, for every
 * horizon step, residuals scaled by the series' level: score = (y − ŷ) / level^p. The q-quantile of
 * a forecast is ŷ + level^p · Q_q(scores at that step), so intervals widen with the horizon and with
 * the size of the series. The power p is 0 (same spread for every series), 1/2 (spread ∝ √level, as
 * for counts) or 1 (spread ∝ level), whichever gives the calibration rows the lowest pinball loss.
 * Scores are signed, which also corrects a systematic bias of the model per step.
 */
import { quantileSorted } from './baselines.js';

/** Calibration scores: `byStep[k]` holds the sorted scores of horizon step k (0-based). */
export interface ConformalScores {
  readonly byStep: readonly Float64Array[];
  /** Scores are residuals divided by level^power. */
  readonly power: number;
}

/** Scores pooled from neighbouring steps until at least this many, so late steps stay stable. */
const MIN_SCORES_PER_STEP = 200;

/** Candidate powers of the level that scales residuals. */
const POWERS = [0, 0.5, 1];

/**
 * Builds calibration scores from backtest rows: `step[i]` (0-based horizon step), actual `y[i]`,
 * forecast `yhat[i]` and the series level `level[i]` (> 0) at the row's cutoff. The level power is
 * chosen by the mean pinball loss of `quantiles` on these rows.
 */
export function conformalScores(
  h: number,
  step: Int32Array,
  y: Float64Array,
  yhat: Float64Array,
  level: Float64Array,
  quantiles: readonly number[] = [0.1, 0.5, 0.9],
): ConformalScores {
  let best: ConformalScores | undefined;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const power of POWERS) {
    const scores = scoresWithPower(h, step, y, yhat, level, power);
    let loss = 0;
    for (const q of quantiles) {
      const offsets = stepQuantiles(scores, q, h);
      for (let i = 0; i < y.length; i++) {
        const v = yhat[i] + level[i] ** power * offsets[Math.min(step[i], h - 1)];
        const d = y[i] - v;
        if (Number.isFinite(d)) loss += d >= 0 ? q * d : (q - 1) * d;
      }
    }
    if (loss < bestLoss) {
      bestLoss = loss;
      best = scores;
    }
  }
  return best ?? scoresWithPower(h, step, y, yhat, level, 1);
}

function scoresWithPower(
  h: number,
  step: Int32Array,
  y: Float64Array,
  yhat: Float64Array,
  level: Float64Array,
  power: number,
): ConformalScores {
  const raw: number[][] = Array.from({ length: h }, () => []);
  for (let i = 0; i < y.length; i++) {
    const score = (y[i] - yhat[i]) / level[i] ** power;
    if (Number.isFinite(score) && step[i] < h) raw[step[i]].push(score);
  }
  const byStep = raw.map((_, k) => {
    const pooled: number[] = [...raw[k]];
    for (let r = 1; pooled.length < MIN_SCORES_PER_STEP && (k - r >= 0 || k + r < h); r++) {
      if (k - r >= 0) pooled.push(...raw[k - r]);
      if (k + r < h) pooled.push(...raw[k + r]);
    }
    return Float64Array.from(pooled).sort();
  });
  return { byStep, power };
}

/** The q-quantile of the scores of each step 0..h−1 (the last calibrated step beyond them). */
function stepQuantiles(scores: ConformalScores, q: number, h: number): Float64Array {
  const last = scores.byStep.length - 1;
  return Float64Array.from({ length: h }, (_, k) => {
    const sorted = scores.byStep[Math.min(k, last)];
    return sorted.length > 0 ? quantileSorted(sorted, q) : 0;
  });
}

/**
 * Quantile forecasts, series-major like `yhat` (nSeries × h): ŷ + level[s]^p · Q_q(step scores).
 * Steps beyond the calibrated horizon use the last calibrated step.
 */
export function conformalQuantiles(
  yhat: Float64Array,
  h: number,
  level: Float64Array,
  scores: ConformalScores,
  quantiles: readonly number[],
): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  for (const q of quantiles) {
    const offsets = stepQuantiles(scores, q, h);
    const values = new Float64Array(yhat.length);
    for (let i = 0; i < yhat.length; i++) {
      values[i] = yhat[i] + level[Math.floor(i / h)] ** scores.power * offsets[i % h];
    }
    out.set(q, values);
  }
  return out;
}

/**
 * Makes quantile forecasts monotone in the level at every row by sorting the values across levels
 * (monotone rearrangement), in place. Quantiles then never cross.
 */
export function sortQuantiles(quantiles: Map<number, Float64Array>): void {
  const levels = [...quantiles.keys()].sort((a, b) => a - b);
  if (levels.length < 2) return;
  const cols = levels.map((l) => quantiles.get(l)!);
  const n = cols[0].length;
  const tmp = new Float64Array(levels.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols.length; j++) tmp[j] = cols[j][i];
    tmp.sort();
    for (let j = 0; j < cols.length; j++) cols[j][i] = tmp[j];
  }
}
