/**
 * Daily weather per region: an annual temperature cycle (warmest in mid-July) plus AR(1) noise,
 * and precipitation that is zero on about 45% of days and gamma-distributed otherwise.
 */
import { formatDay, yearFraction } from '../../core/dates.js';
import type { Rng } from '../../core/rng.js';
import type { RegionTruth } from './stores.js';
import { type Cell, type DemoTable, roundTo } from './table.js';
import { type DemoWindow, periodStart } from './window.js';

/** Fraction of the year at which temperature peaks. */
export const WARMEST_YEAR_FRACTION = 0.54;
const AR_COEFFICIENT = 0.7;

export interface DemoWeather {
  /** Temperature per region per simulated day, °C, rounded as written (daily mode). */
  readonly tempC: readonly Float64Array[];
  readonly precipMm: readonly Float64Array[];
}

export function simulateWeather(rng: Rng, regions: readonly RegionTruth[], window: DemoWindow): DemoWeather {
  const tempC: Float64Array[] = [];
  const precipMm: Float64Array[] = [];
  for (const region of regions) {
    const r = rng.fork();
    const temp = new Float64Array(window.nDays);
    const precip = new Float64Array(window.nDays);
    // Stationary start: the noise's variance is sd² for every day.
    let noise = region.temp_noise_sd_c * r.normal();
    const innovation = region.temp_noise_sd_c * Math.sqrt(1 - AR_COEFFICIENT ** 2);
    for (let t = 0; t < window.nDays; t++) {
      const day = window.firstDay + t;
      if (t > 0) noise = AR_COEFFICIENT * noise + innovation * r.normal();
      const seasonal = Math.cos(2 * Math.PI * (yearFraction(day) - WARMEST_YEAR_FRACTION));
      temp[t] = roundTo(region.mean_temp_c + region.temp_amplitude_c * seasonal + noise, 1);
      precip[t] = r.next() < 0.45 ? 0 : roundTo(r.gamma(0.8) * 5, 1);
    }
    tempC.push(temp);
    precipMm.push(precip);
  }
  return { tempC, precipMm };
}

/** The weather source: per region × period; weekly rows hold the mean temperature and total rain. */
export function weatherTable(
  regions: readonly RegionTruth[],
  weather: DemoWeather,
  window: DemoWindow,
): DemoTable {
  const rows: Cell[][] = [];
  for (let p = 0; p < window.nPeriods; p++) {
    for (let r = 0; r < regions.length; r++) {
      let temp = 0;
      let precip = 0;
      for (let k = 0; k < window.periodLength; k++) {
        temp += weather.tempC[r][p * window.periodLength + k];
        precip += weather.precipMm[r][p * window.periodLength + k];
      }
      rows.push([
        regions[r].region,
        formatDay(periodStart(window, p)),
        roundTo(temp / window.periodLength, 1),
        roundTo(precip, 1),
      ]);
    }
  }
  return { source: 'weather', columns: ['region', 'date', 'temp_c', 'precip_mm'], rows };
}
