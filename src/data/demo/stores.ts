/**
 * Demo stores and regions with their true parameters. A store's effect (its demand multiplier)
 * grows with its floor size, with some noise for location.
 */
import { formatDay } from '../../core/dates.js';
import type { Rng } from '../../core/rng.js';
import { roundTo } from './table.js';

export interface StoreTruth {
  readonly store_id: string;
  readonly name: string;
  readonly type: 'hypermarket' | 'supermarket' | 'express';
  readonly size_sqm: number;
  readonly region: string;
  /** Every demo store opened before the window, so every store reports from the first day. */
  readonly opening_date: string;
  /** Demand multiplier: (size_sqm / 2500)^0.5 × lognormal noise. */
  readonly effect: number;
}

export interface RegionTruth {
  readonly region: string;
  /** Annual mean temperature; the weather term is relative to it. */
  readonly mean_temp_c: number;
  /** Half the summer–winter swing of the daily mean temperature. */
  readonly temp_amplitude_c: number;
  /** Standard deviation of the daily AR(1) temperature noise. */
  readonly temp_noise_sd_c: number;
}

const REGIONS: readonly Omit<RegionTruth, 'temp_noise_sd_c'>[] = [
  { region: 'North', mean_temp_c: 7.5, temp_amplitude_c: 9 },
  { region: 'Central', mean_temp_c: 10.5, temp_amplitude_c: 10 },
  { region: 'South', mean_temp_c: 15, temp_amplitude_c: 8 },
  { region: 'Coast', mean_temp_c: 12, temp_amplitude_c: 6 },
];

const TYPES = [
  { type: 'hypermarket', size: [6000, 12000] },
  { type: 'supermarket', size: [1500, 4000] },
  { type: 'express', size: [200, 600] },
] as const;

/** Regions in use: 1–3 stores use one region each, 4–7 use three, 8 or more use four. */
export function buildRegions(storeCount: number): RegionTruth[] {
  const n = storeCount <= 3 ? storeCount : storeCount < 8 ? 3 : 4;
  return REGIONS.slice(0, n).map((r) => ({ ...r, temp_noise_sd_c: 2.5 }));
}

export function storeId(index: number, count: number): string {
  return `S${String(index + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

/**
 * Draws `count` stores. Formats cycle supermarket, hypermarket, supermarket, express so every
 * demo has a mix; regions are assigned round-robin so each region has stores.
 */
export function buildStores(
  rng: Rng,
  count: number,
  regions: readonly RegionTruth[],
  firstDay: number,
): StoreTruth[] {
  const cycle = [1, 0, 1, 2];
  return Array.from({ length: count }, (_, i) => {
    const { type, size } = TYPES[cycle[i % cycle.length]];
    const sizeSqm = Math.round((size[0] + (size[1] - size[0]) * rng.next()) / 10) * 10;
    const region = regions[i % regions.length].region;
    return {
      store_id: storeId(i, count),
      name: `${region} ${type[0].toUpperCase()}${type.slice(1)} ${i + 1}`,
      type,
      size_sqm: sizeSqm,
      region,
      opening_date: formatDay(firstDay - 365 - rng.int(20 * 365)),
      effect: roundTo(Math.sqrt(sizeSqm / 2500) * Math.exp(0.1 * rng.normal()), 4),
    };
  });
}
