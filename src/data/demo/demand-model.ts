/**
 * The causal demand model. Expected demand of store s, product p, day t:
 *
 *   λ = level_p × effect_s × (1 + trend_p)^years × weekly_p[dow] × (1 + A_p cos 2π(yearFraction − φ_p))
 *       × holidayLift_p^[holiday] × (paidPrice / basePrice_p)^elasticity_p × promoLift_p[type]^[promo]
 *       × exp(weatherSensitivity_p × (temp_region − meanTemp_region) / 10)
 *
 * Realised demand is negative binomial: Poisson(λ × G) with G ~ Gamma(k, 1/k), so its mean is λ
 * and its variance λ + λ²/k.
 */
import type { Rng } from '../../core/rng.js';
import type { ProductTruth } from './catalog.js';
import type { DemoPrices } from './prices.js';
import type { RegionTruth, StoreTruth } from './stores.js';
import type { DemoWeather } from './weather.js';
import type { DayFeatures, DemoWindow } from './window.js';

/** Shape k of the gamma mixing: variance = λ + λ²/k. */
export const OVERDISPERSION_SHAPE = 6;

export interface DemandDrivers {
  readonly window: DemoWindow;
  readonly days: DayFeatures;
  readonly products: readonly ProductTruth[];
  readonly stores: readonly StoreTruth[];
  readonly regions: readonly RegionTruth[];
  /** 1 on a holiday, per simulated day. */
  readonly isHoliday: Uint8Array;
  readonly weather: DemoWeather;
  readonly prices: DemoPrices;
  /** Promotion lift per series per day (1 without a promotion). */
  readonly promoLift: readonly Float64Array[];
}

export interface SeriesExpectation {
  /** λ per simulated day. */
  readonly expected: Float64Array;
  /** The weather factor of λ per day; a planner who cannot foresee weather divides it out. */
  readonly weatherFactor: Float64Array;
}

/** λ for store `s`, product `j`, every simulated day. */
export function expectedDemand(drivers: DemandDrivers, s: number, j: number): SeriesExpectation {
  const { window, days, products, stores, regions, isHoliday, weather, prices, promoLift } = drivers;
  const product = products[j];
  const store = stores[s];
  const r = regions.findIndex((x) => x.region === store.region);
  const series = s * products.length + j;
  const expected = new Float64Array(window.nDays);
  const weatherFactor = new Float64Array(window.nDays);
  const growth = Math.log1p(product.trend_per_year) / 365.25;
  for (let t = 0; t < window.nDays; t++) {
    const paid = prices.shelf[j][t] * (1 - prices.discountPct[series][t] / 100);
    const annual =
      1 + product.annual_amplitude * Math.cos(2 * Math.PI * (days.yearFraction[t] - product.annual_phase));
    weatherFactor[t] = Math.exp(
      (product.weather_sensitivity_per_10c * (weather.tempC[r][t] - regions[r].mean_temp_c)) / 10,
    );
    expected[t] =
      product.level *
      store.effect *
      Math.exp(growth * t) *
      product.weekly_profile[days.dayOfWeek[t]] *
      annual *
      (isHoliday[t] ? product.holiday_lift : 1) *
      (paid / product.base_price) ** product.price_elasticity *
      promoLift[series][t] *
      weatherFactor[t];
  }
  return { expected, weatherFactor };
}

/** Draws uncensored demand for each day from the negative binomial with mean `expected`. */
export function drawDemand(rng: Rng, expected: Float64Array): Int32Array {
  const demand = new Int32Array(expected.length);
  for (let t = 0; t < expected.length; t++) {
    demand[t] = rng.poisson((expected[t] * rng.gamma(OVERDISPERSION_SHAPE)) / OVERDISPERSION_SHAPE);
  }
  return demand;
}
