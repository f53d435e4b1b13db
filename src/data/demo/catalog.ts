/**
 * The demo product catalogue and each product's true demand parameters. Products are drawn from
 * typical grocery templates so that categories behave plausibly: beverages and ice cream sell more
 * when it is warm, soup less; household goods are often slow movers.
 */
import type { Rng } from '../../core/rng.js';
import { roundTo } from './table.js';

export const PROMO_TYPES = ['flyer', 'display', 'bogo'] as const;
export type PromoType = (typeof PROMO_TYPES)[number];

interface ProductTemplate {
  readonly name: string;
  readonly category: string;
  readonly department: string;
  /** Regular price range, currency units. */
  readonly price: readonly [number, number];
  /** Log-demand change per +10 °C. */
  readonly weather: readonly [number, number];
  /** Phase of the annual peak as a fraction of the year (0.5 ≈ early July). */
  readonly peak: number;
}

const TEMPLATES: readonly ProductTemplate[] = [
  {
    name: 'Whole Milk 1L',
    category: 'Dairy',
    department: 'Fresh',
    price: [0.9, 1.6],
    weather: [-0.05, 0.05],
    peak: 0.05,
  },
  {
    name: 'Greek Yogurt 500g',
    category: 'Dairy',
    department: 'Fresh',
    price: [1.8, 3.2],
    weather: [0, 0.1],
    peak: 0.45,
  },
  {
    name: 'Sourdough Loaf',
    category: 'Bakery',
    department: 'Fresh',
    price: [2.2, 4.5],
    weather: [-0.05, 0.05],
    peak: 0.9,
  },
  {
    name: 'Butter Croissant',
    category: 'Bakery',
    department: 'Fresh',
    price: [0.8, 1.8],
    weather: [-0.05, 0.05],
    peak: 0.3,
  },
  {
    name: 'Sparkling Water 1.5L',
    category: 'Beverages',
    department: 'Grocery',
    price: [0.6, 1.4],
    weather: [0.25, 0.45],
    peak: 0.55,
  },
  {
    name: 'Cola 2L',
    category: 'Beverages',
    department: 'Grocery',
    price: [1.5, 2.6],
    weather: [0.2, 0.4],
    peak: 0.55,
  },
  {
    name: 'Orange Juice 1L',
    category: 'Beverages',
    department: 'Grocery',
    price: [1.9, 3.4],
    weather: [0.05, 0.2],
    peak: 0.1,
  },
  {
    name: 'Potato Crisps 150g',
    category: 'Snacks',
    department: 'Grocery',
    price: [1.3, 2.5],
    weather: [0.05, 0.15],
    peak: 0.5,
  },
  {
    name: 'Dark Chocolate 100g',
    category: 'Snacks',
    department: 'Grocery',
    price: [1.6, 3.5],
    weather: [-0.2, -0.05],
    peak: 0.95,
  },
  {
    name: 'Vanilla Ice Cream 1L',
    category: 'Frozen',
    department: 'Fresh',
    price: [3.5, 6.5],
    weather: [0.45, 0.7],
    peak: 0.55,
  },
  {
    name: 'Frozen Pizza',
    category: 'Frozen',
    department: 'Fresh',
    price: [2.9, 5.5],
    weather: [-0.15, 0],
    peak: 0.05,
  },
  {
    name: 'Tomato Soup 400g',
    category: 'Soup',
    department: 'Grocery',
    price: [1.2, 2.4],
    weather: [-0.45, -0.25],
    peak: 0.02,
  },
  {
    name: 'Laundry Detergent 2L',
    category: 'Household',
    department: 'Non-food',
    price: [6.5, 12.5],
    weather: [-0.03, 0.03],
    peak: 0.3,
  },
  {
    name: 'Paper Towels 4-pack',
    category: 'Household',
    department: 'Non-food',
    price: [3.2, 5.8],
    weather: [-0.03, 0.03],
    peak: 0.8,
  },
  {
    name: 'Toothpaste 75ml',
    category: 'Personal Care',
    department: 'Non-food',
    price: [1.8, 3.9],
    weather: [-0.03, 0.03],
    peak: 0.6,
  },
  {
    name: 'Sunscreen SPF30',
    category: 'Personal Care',
    department: 'Non-food',
    price: [7.5, 13.5],
    weather: [0.35, 0.6],
    peak: 0.5,
  },
];

/** True parameters of one product; multipliers are relative to a neutral day. */
export interface ProductTruth {
  readonly product_id: string;
  readonly name: string;
  readonly category: string;
  readonly department: string;
  /** Regular price at the start of the window; the reference price of the elasticity term. */
  readonly base_price: number;
  readonly unit_cost: number;
  /** Mean units per day in a store with effect 1 on a neutral day. */
  readonly level: number;
  /** Level at most 0.5 units/day, so below 1 unit/day even in the largest stores: intermittent demand. */
  readonly is_slow_mover: boolean;
  /** Own-price elasticity of the paid price relative to `base_price` (negative). */
  readonly price_elasticity: number;
  /** Demand multiplier on promotion days, per promotion type. */
  readonly promo_lift: Readonly<Record<PromoType, number>>;
  /** Day-of-week multipliers, Monday first; they average 1. */
  readonly weekly_profile: readonly number[];
  /** Annual seasonality: multiplier 1 + amplitude × cos(2π (yearFraction − phase)). */
  readonly annual_amplitude: number;
  readonly annual_phase: number;
  /** Demand multiplier on public holidays. */
  readonly holiday_lift: number;
  /** Log-demand change per +10 °C above the region's mean temperature. */
  readonly weather_sensitivity_per_10c: number;
  /** Growth per year: multiplier (1 + trend_per_year)^(years since the first day). */
  readonly trend_per_year: number;
  /** Whether the product gets store-level discount events (rich price variation). */
  readonly has_discount_events: boolean;
}

/** Product ids `P001`…; the width grows with the count so ids sort as numbers. */
export function productId(index: number, count: number): string {
  return `P${String(index + 1).padStart(Math.max(3, String(count).length), '0')}`;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** A shelf price ending in 9 cents, in [lo, hi]. */
function shelfPrice(rng: Rng, lo: number, hi: number): number {
  return roundTo(Math.max(0.19, Math.round(uniform(rng, lo, hi) * 10) / 10 - 0.01), 2);
}

function weeklyProfile(rng: Rng): number[] {
  // Groceries peak towards the weekend; each product varies around that shape.
  const shape = [0.85, 0.85, 0.9, 0.95, 1.15, 1.3, 1.0];
  const raw = shape.map((m) => m * Math.exp(0.08 * rng.normal()));
  const mean = raw.reduce((a, b) => a + b, 0) / 7;
  return raw.map((m) => roundTo(m / mean, 4));
}

/**
 * Draws `count` products. About a quarter are slow movers (mean below 1 unit/day); at least half
 * of the fast movers get discount events so their price elasticity can be recovered from data.
 */
export function buildProducts(rng: Rng, count: number): ProductTruth[] {
  const order = Array.from({ length: TEMPLATES.length }, (_, i) => i);
  rng.shuffle(order);
  const slow = new Set<number>();
  const ranks = Array.from({ length: count }, (_, i) => i);
  rng.shuffle(ranks);
  const nSlow = count >= 2 ? Math.max(1, Math.round(count / 4)) : 0;
  for (let i = 0; i < nSlow; i++) slow.add(ranks[i]);
  const fastRanks = ranks.slice(nSlow);
  const forcedDiscounts = new Set(fastRanks.slice(0, Math.ceil(fastRanks.length / 2)));

  const products: ProductTruth[] = [];
  for (let i = 0; i < count; i++) {
    const template = TEMPLATES[order[i % TEMPLATES.length]];
    const round = Math.floor(i / TEMPLATES.length);
    const isSlow = slow.has(i);
    const basePrice = shelfPrice(rng, template.price[0], template.price[1]);
    const margin = uniform(rng, 0.2, 0.5);
    const flyer = uniform(rng, 1.2, 1.8);
    products.push({
      product_id: productId(i, count),
      name: round === 0 ? template.name : `${template.name} #${round + 1}`,
      category: template.category,
      department: template.department,
      base_price: basePrice,
      unit_cost: roundTo(basePrice * (1 - margin), 2),
      level: roundTo(isSlow ? uniform(rng, 0.08, 0.5) : Math.exp(uniform(rng, Math.log(5), Math.log(40))), 4),
      is_slow_mover: isSlow,
      price_elasticity: roundTo(-uniform(rng, 0.8, 3.0), 3),
      promo_lift: {
        flyer: roundTo(flyer, 3),
        display: roundTo(Math.max(1.2, flyer * uniform(rng, 0.8, 1.0)), 3),
        bogo: roundTo(Math.min(2.5, flyer * uniform(rng, 1.25, 1.5)), 3),
      },
      weekly_profile: weeklyProfile(rng),
      annual_amplitude: roundTo(uniform(rng, 0.05, 0.35), 3),
      annual_phase: roundTo((template.peak + 0.05 * rng.normal() + 1) % 1, 3),
      holiday_lift: roundTo(uniform(rng, 0.8, 1.8), 3),
      weather_sensitivity_per_10c: roundTo(uniform(rng, template.weather[0], template.weather[1]), 3),
      trend_per_year: roundTo(uniform(rng, -0.05, 0.15), 3),
      has_discount_events: isSlow ? rng.next() < 0.3 : forcedDiscounts.has(i) || rng.next() < 0.6,
    });
  }
  return products;
}
