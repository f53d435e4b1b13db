/**
 * A model's global importance ranking: per feature and per business driver. Tree ensembles rank
 * by total split gain (LightGBM's 'gain' importance); a model without it (a linear learner) ranks
 * by the mean |contribution| over explained rows.
 */
import { SalescastError } from '../core/errors.js';
import type { Regressor } from '../ml/index.js';
import type { Contributions } from './contributions.js';
import { DRIVERS, type Driver, driverOf } from './drivers.js';
import type { FittedGlobal } from './forecaster-internals.js';

export interface GlobalImportance {
  readonly method: 'gain' | 'mean-abs-contribution';
  /** Largest share first; shares sum to 1 (features with no importance are left out). */
  readonly features: readonly { readonly name: string; readonly driver: Driver; readonly share: number }[];
  readonly drivers: readonly { readonly driver: Driver; readonly share: number }[];
}

type WithImportance = Regressor & { featureImportance(kind: 'gain' | 'split'): Float64Array };

function hasImportance(learner: Regressor): learner is WithImportance {
  return typeof (learner as Partial<WithImportance>).featureImportance === 'function';
}

/**
 * The ranking of `fitted`: gain importance when the learner has it, otherwise the mean
 * |contribution| of `contributions` (required then).
 */
export function globalImportance(fitted: FittedGlobal, contributions?: Contributions): GlobalImportance {
  const names = fitted.features.map((d) => d.name);
  let raw: Float64Array;
  let method: GlobalImportance['method'];
  if (hasImportance(fitted.learner)) {
    raw = fitted.learner.featureImportance('gain');
    method = 'gain';
  } else if (contributions) {
    const p = names.length;
    const n = contributions.prediction.length;
    raw = new Float64Array(p);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) raw[j] += Math.abs(contributions.values[i * p + j]) / n;
    method = 'mean-abs-contribution';
  } else {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `a ${fitted.learner.name} model has no gain importance; pass explained rows to rank by contributions.`,
    );
  }
  const total = raw.reduce((a, b) => a + b, 0);
  const features = names
    .map((name, j) => ({ name, driver: driverOf(name), share: total > 0 ? raw[j] / total : 0 }))
    .filter((f) => f.share > 0)
    .sort((a, b) => b.share - a.share);
  const byDriver = new Map<Driver, number>();
  for (const f of features) byDriver.set(f.driver, (byDriver.get(f.driver) ?? 0) + f.share);
  const drivers = DRIVERS.filter((d) => byDriver.has(d))
    .map((driver) => ({ driver, share: byDriver.get(driver)! }))
    .sort((a, b) => b.share - a.share);
  return { method, features, drivers };
}
