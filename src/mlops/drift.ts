/**
 * Data drift between a reference sample (what a model was trained on) and a current sample (the
 * data it now sees), per feature. Pure functions: no I/O.
 *
 * - PSI (population stability index) = Σ_bins (a − e) · ln(a / e), where e and a are the shares of
 *   the reference and current samples in each bin. Numeric features are binned at the reference's
 *   quantiles (so each reference bin holds about the same share); categorical features use one bin
 *   per level. A share of 0 is floored at `PSI_EPSILON` so an empty bin gives a large, finite PSI.
 * - KS = the two-sample Kolmogorov–Smirnov statistic D = sup_x |F_ref(x) − F_cur(x)|, with the
 *   asymptotic p-value of Numerical Recipes (`ksPValue`).
 * - Status by PSI, with the usual industry thresholds: below 0.1 `ok`, 0.1 to 0.25 `warn`, 0.25
 *   and above `drift`. KS is reported alongside, not folded into the status: with thousands of rows
 *   its p-value flags differences too small to matter.
 *
 * No well-kept JavaScript library computes PSI or the two-sample KS test over typed arrays, hence
 * these few lines.
 */
import { isCategorical, type Panel } from '../features/panel.js';

export const DRIFT_THRESHOLDS = { warn: 0.1, drift: 0.25 } as const;
/** Floor of a bin share in PSI, so an empty bin does not give an infinite index. */
export const PSI_EPSILON = 1e-4;
/** Quantile bins of a numeric feature. */
export const DEFAULT_PSI_BINS = 10;

export type DriftStatus = 'ok' | 'warn' | 'drift';

export type DriftFeature =
  | { name: string; kind: 'numeric'; reference: Float64Array; current: Float64Array }
  | {
      name: string;
      kind: 'categorical';
      reference: readonly (string | null)[];
      current: readonly (string | null)[];
    };

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  psi: number;
  /** KS statistic D (numeric only; null for categorical). */
  ks: number | null;
  /** KS p-value (numeric only). */
  p: number | null;
  status: DriftStatus;
  /** Non-missing values compared. */
  n_reference: number;
  n_current: number;
}

function finiteSorted(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v)).sort();
}

/**
 * Inner bin edges at the reference's quantiles k/bins (k = 1 … bins−1, linear interpolation
 * between order statistics as numpy's default), without duplicates. `sorted` ascending, finite.
 */
export function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  const n = sorted.length;
  if (n === 0) return edges;
  for (let k = 1; k < bins; k++) {
    const pos = ((n - 1) * k) / bins;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    const q = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  return edges;
}

/** Counts per bin (−∞, e1], (e1, e2], …, (e_last, ∞). */
function binCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sorted) {
    // Binary search: the first edge ≥ v is v's bin.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
  }
  return counts;
}

/** PSI of two count vectors over the same bins. NaN when either sample is empty. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number {
  const nr = reference.reduce((a, b) => a + b, 0);
  const nc = current.reduce((a, b) => a + b, 0);
  if (nr === 0 || nc === 0) return Number.NaN;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.max(reference[i] / nr, PSI_EPSILON);
    const a = Math.max(current[i] / nc, PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** PSI of a numeric feature over `bins` quantile bins of the reference; NaN values are ignored. */
export function numericPsi(reference: Float64Array, current: Float64Array, bins = DEFAULT_PSI_BINS): number {
  const ref = finiteSorted(reference);
  const edges = quantileEdges(ref, bins);
  return psiFromCounts(binCounts(ref, edges), binCounts(finiteSorted(current), edges));
}

/** PSI of a categorical feature, one bin per level seen in either sample; nulls are ignored. */
export function categoricalPsi(
  reference: readonly (string | null)[],
  current: readonly (string | null)[],
): number {
  const index = new Map<string, number>();
  const count = (values: readonly (string | null)[], into: number[]) => {
    for (const v of values) {
      if (v === null) continue;
      let i = index.get(v);
      if (i === undefined) {
        i = index.size;
        index.set(v, i);
      }
      into[i] = (into[i] ?? 0) + 1;
    }
  };
  const ref: number[] = [];
  const cur: number[] = [];
  count(reference, ref);
  count(current, cur);
  const k = index.size;
  const fill = (a: number[]) => Array.from({ length: k }, (_, i) => a[i] ?? 0);
  return psiFromCounts(fill(ref), fill(cur));
}

/**
 * Asymptotic p-value of the two-sample KS statistic `d` for sample sizes n and m:
 * Q_KS((√ne + 0.12 + 0.11/√ne) · d) with ne = n·m/(n+m) and
 * Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²} (Numerical Recipes, 3rd ed., §14.3.3).
 */
export function ksPValue(d: number, n: number, m: number): number {
  const en = Math.sqrt((n * m) / (n + m));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = sign * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Two-sample KS statistic D and its p-value; NaN values are ignored. */
export function ksTwoSample(reference: Float64Array, current: Float64Array): { d: number; p: number } {
  const a = finiteSorted(reference);
  const b = finiteSorted(current);
  if (a.length === 0 || b.length === 0) return { d: Number.NaN, p: Number.NaN };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    // Step past every copy of x in both samples before comparing the two ECDFs.
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return { d, p: ksPValue(d, a.length, b.length) };
}

export function driftStatus(psi: number): DriftStatus {
  if (!(psi >= DRIFT_THRESHOLDS.warn)) return 'ok';
  return psi >= DRIFT_THRESHOLDS.drift ? 'drift' : 'warn';
}

/** One report line per feature. */
export function driftReport(features: readonly DriftFeature[], bins = DEFAULT_PSI_BINS): FeatureDrift[] {
  return features.map((f) => {
    if (f.kind === 'numeric') {
      const psi = numericPsi(f.reference, f.current, bins);
      const ks = ksTwoSample(f.reference, f.current);
      return {
        feature: f.name,
        kind: f.kind,
        psi,
        ks: ks.d,
        p: ks.p,
        status: driftStatus(psi),
        n_reference: finiteSorted(f.reference).length,
        n_current: finiteSorted(f.current).length,
      };
    }
    const psi = categoricalPsi(f.reference, f.current);
    return {
      feature: f.name,
      kind: f.kind,
      psi,
      ks: null,
      p: null,
      status: driftStatus(psi),
      n_reference: f.reference.filter((v) => v !== null).length,
      n_current: f.current.filter((v) => v !== null).length,
    };
  });
}

/** The worst status of a report (`ok` for an empty one). */
export function worstStatus(report: readonly FeatureDrift[]): DriftStatus {
  if (report.some((r) => r.status === 'drift')) return 'drift';
  return report.some((r) => r.status === 'warn') ? 'warn' : 'ok';
}

/**
 * The features of two panels to compare: the target `y` and every exogenous column present in
 * both, restricted to rows with `dates` in [from, to] of each panel (day numbers, inclusive).
 */
export function panelDriftFeatures(
  reference: Panel,
  current: Panel,
  window: { referenceFrom?: number; currentFrom?: number } = {},
): DriftFeature[] {
  const rows = (p: Panel, from: number | undefined) => {
    const out: number[] = [];
    for (let r = 0; r < p.dates.length; r++) if (from === undefined || p.dates[r] >= from) out.push(r);
    return out;
  };
  const rr = rows(reference, window.referenceFrom);
  const cr = rows(current, window.currentFrom);
  const pick = (col: Float64Array, idx: number[]) => Float64Array.from(idx, (r) => col[r]);
  const features: DriftFeature[] = [
    { name: 'y', kind: 'numeric', reference: pick(reference.y, rr), current: pick(current.y, cr) },
  ];
  for (const name of Object.keys(reference.exog).sort()) {
    const a = reference.exog[name];
    const b = current.exog[name];
    if (b === undefined) continue;
    if (isCategorical(a) && isCategorical(b)) {
      const text = (c: typeof a, idx: number[]) =>
        idx.map((r) => (c.codes[r] < 0 ? null : c.levels[c.codes[r]]));
      features.push({ name, kind: 'categorical', reference: text(a, rr), current: text(b, cr) });
    } else if (!isCategorical(a) && !isCategorical(b)) {
      features.push({ name, kind: 'numeric', reference: pick(a, rr), current: pick(b, cr) });
    }
  }
  return features;
}
