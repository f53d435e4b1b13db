/**
 * Options of the demo retailer generator, their defaults and their validation. The library checks
 * them itself (not only the CLI) because tests and the `npm start` bootstrap call it directly.
 */
import { type Frequency, parseIsoDay } from '../../core/dates.js';
import { SalescastError } from '../../core/errors.js';

export interface DemoOptions {
  /** Number of stores, 1–500. */
  readonly stores: number;
  /** Number of products, 1–2000. */
  readonly products: number;
  /** First day, `YYYY-MM-DD`. With weekly frequency it is moved back to its Monday. */
  readonly start: string;
  /** Number of days covered, 1–3660. Weekly data covers the whole weeks that hold these days. */
  readonly days: number;
  readonly freq: Frequency;
  /** Seed of every random step: the same options give the same data. */
  readonly seed: number;
  /**
   * A structural break, for monitoring and retraining demos: from day `from` (YYYY-MM-DD) on, the
   * expected demand of the first `products` products (default 1) in every store is multiplied by
   * `factor` (0.5 halves it).
   */
  readonly demandBreak?: { readonly from: string; readonly factor: number; readonly products?: number };
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  stores: 5,
  products: 12,
  start: '2023-01-02',
  days: 730,
  freq: 'day',
  seed: 42,
};

/** Upper bound on simulated store × product × days, so a typo cannot exhaust memory. */
export const MAX_SERIES_DAYS = 5_000_000;

const INT_LIMITS = {
  stores: [1, 500],
  products: [1, 2000],
  days: [1, 3660],
  seed: [0, 4_294_967_295],
} as const;

/** Fills defaults and checks ranges; throws `SalescastError('INVALID_ARGUMENT')` naming the option. */
export function resolveDemoOptions(options: Partial<DemoOptions> = {}): DemoOptions {
  const resolved: DemoOptions = { ...DEFAULT_DEMO_OPTIONS, ...options };
  for (const [name, [min, max]] of Object.entries(INT_LIMITS)) {
    const value = resolved[name as keyof typeof INT_LIMITS];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `The '${name}' option of demo-data must be an integer in [${min}, ${max}]; got ${value} instead.`,
        { field: name },
      );
    }
  }
  if (parseIsoDay(resolved.start) === undefined) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The 'start' option of demo-data must be a date YYYY-MM-DD; got '${resolved.start}' instead.`,
      { field: 'start' },
    );
  }
  if (resolved.freq !== 'day' && resolved.freq !== 'week') {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `The 'freq' option of demo-data must be one of day, week; got '${resolved.freq}' instead.`,
      { field: 'freq' },
    );
  }
  const brk = resolved.demandBreak;
  if (brk !== undefined) {
    const n = brk.products ?? 1;
    if (parseIsoDay(brk.from) === undefined || !(brk.factor > 0 && brk.factor <= 10)) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `The 'demandBreak' option of demo-data needs a date 'from' (YYYY-MM-DD) and a factor in (0, 10]; got ${JSON.stringify(brk)} instead.`,
        { field: 'demandBreak' },
      );
    }
    if (!Number.isInteger(n) || n < 1 || n > resolved.products) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `The 'demandBreak.products' option of demo-data must be an integer in [1, ${resolved.products}]; got ${n} instead.`,
        { field: 'demandBreak' },
      );
    }
  }
  // Weekly mode widens the window to whole weeks: up to 6 more days.
  const seriesDays = resolved.stores * resolved.products * (resolved.days + 6);
  if (seriesDays > MAX_SERIES_DAYS) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `demo-data would simulate ${seriesDays} store × product × days, more than the limit of ${MAX_SERIES_DAYS}; use fewer stores, products or days.`,
    );
  }
  return resolved;
}
