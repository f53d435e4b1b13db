/**
 * A feature set: the configuration (lags, lag transforms, calendar features, drivers) turned into the
 * ordered list of definitions a model is trained on. Defaults cover windows of 7, 14, 28, 56 and 364
 * days, or 1, 2, 4, 8 and 52 weeks.
 */
import type { Frequency } from '../core/dates.js';
import { calendarFeatures, type DateFeature } from './calendar.js';
import type { FeatureDefinition } from './definition.js';
import { exogFeature, priceFeatures, promoFeatures, seriesIdFeature } from './exogenous.js';
import {
  ewm,
  type LagTransform,
  lagFeature,
  lagTransformFeature,
  rollingMax,
  rollingMean,
  rollingMin,
  rollingStd,
  seasonalRollingMean,
} from './lag-features.js';
import { isCategorical, type Panel } from './panel.js';
import { targetEncodingFeature } from './target-encoding.js';

export type LagTransforms = Readonly<Record<number, readonly LagTransform[]>>;

/**
 * Drivers observed only in hindsight (a stockout is known once the day is over): they enter as their
 * recent rate, lagged like the target, never as their value on the forecast date.
 */
const PAST_ONLY_DRIVERS: ReadonlySet<string> = new Set(['stockout']);

export interface FeatureConfig {
  /** Target lags in periods; default per frequency. */
  readonly lags?: readonly number[];
  /** Transforms of the lagged target, keyed by lag; default per frequency. */
  readonly lagTransforms?: LagTransforms;
  /** Calendar features; default: all that make sense at the frequency. */
  readonly dateFeatures?: readonly DateFeature[];
  /** Driver columns to use; default: every exogenous column of the panel. */
  readonly exog?: readonly string[];
  /** Add the series identity as a categorical; default true. */
  readonly seriesId?: boolean;
  /** Add a leakage-free target encoding of every categorical driver; default true. */
  readonly targetEncodings?: boolean;
}

/** Default target lags: the recent past, whole weeks or months, and last year's neighbourhood. */
export function defaultLags(freq: Frequency): number[] {
  return freq === 'week'
    ? [1, 2, 3, 4, 8, 13, 26, 51, 52, 53]
    : [1, 2, 3, 4, 5, 6, 7, 14, 21, 28, 56, 363, 364, 365];
}

/** Default lag transforms: rolling level, spread and trend over the standard windows. */
export function defaultLagTransforms(freq: Frequency): LagTransforms {
  if (freq === 'week') {
    return {
      1: [
        rollingMean(2),
        rollingMean(4),
        rollingMean(8),
        rollingMean(52),
        rollingStd(8),
        rollingMin(8),
        rollingMax(8),
        ewm(0.3),
      ],
      51: [rollingMean(3)],
    };
  }
  return {
    1: [
      rollingMean(7),
      rollingMean(14),
      rollingMean(28),
      rollingMean(56),
      rollingMean(364),
      rollingStd(28),
      rollingMin(28),
      rollingMax(28),
      ewm(0.1),
      seasonalRollingMean(7, 4),
      seasonalRollingMean(7, 8),
    ],
    358: [rollingMean(14)],
  };
}

/**
 * The definitions for `panel` under `config`, reading no target lag below `minLag` (the direct
 * strategy passes the horizon): smaller lags are dropped, transforms keyed by a smaller lag move to
 * `minLag`, and when no configured lag survives, `minLag` itself is used.
 */
export function buildFeatureSet(
  panel: Pick<Panel, 'freq' | 'exog' | 'seriesIds'>,
  config: FeatureConfig = {},
  minLag = 1,
): FeatureDefinition[] {
  const configured = config.lags ?? defaultLags(panel.freq);
  const lags = [...new Set(configured.filter((l) => l >= minLag))];
  if (lags.length === 0 && configured.length > 0) lags.push(minLag);
  const transforms = new Map<number, LagTransform[]>();
  for (const [key, list] of Object.entries(config.lagTransforms ?? defaultLagTransforms(panel.freq))) {
    const lag = Math.max(Number(key), minLag);
    transforms.set(lag, [...(transforms.get(lag) ?? []), ...list]);
  }
  const defs: FeatureDefinition[] = lags.sort((a, b) => a - b).map(lagFeature);
  const seen = new Set(defs.map((d) => d.name));
  for (const [lag, list] of [...transforms].sort((a, b) => a[0] - b[0])) {
    for (const t of list) {
      const def = lagTransformFeature(lag, t);
      if (!seen.has(def.name)) {
        seen.add(def.name);
        defs.push(def);
      }
    }
  }
  defs.push(...calendarFeatures(panel.freq, config.dateFeatures));
  const columns = config.exog ?? Object.keys(panel.exog);
  for (const name of columns) {
    const col = panel.exog[name];
    if (!col) continue;
    if (PAST_ONLY_DRIVERS.has(name)) {
      defs.push(lagTransformFeature(minLag, rollingMean(panel.freq === 'week' ? 4 : 7), name));
    } else defs.push(exogFeature(name, isCategorical(col)));
    if (isCategorical(col) && (config.targetEncodings ?? true))
      defs.push(targetEncodingFeature(name, minLag));
  }
  defs.push(...priceFeatures(columns, panel.freq), ...promoFeatures(columns));
  if (config.seriesId ?? true) defs.push(seriesIdFeature(panel.seriesIds));
  return uniqueNames(defs);
}

/** Renames a later definition whose name is taken (a driver column named like a calendar feature). */
function uniqueNames(defs: FeatureDefinition[]): FeatureDefinition[] {
  const taken = new Set<string>();
  return defs.map((d) => {
    let name = d.name;
    for (let k = 2; taken.has(name); k++) name = `${d.name}_${k}`;
    taken.add(name);
    return name === d.name ? d : { ...d, name };
  });
}
