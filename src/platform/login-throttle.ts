/**
 * Throttles password guessing, per account and per client address. Each failure is counted over
 * a 15-minute window; from the 5th failure of an account (20th of an address) further attempts
 * are refused for a backoff that doubles with every failure: 30 s, 60 s, … up to 15 minutes.
 * A refused attempt answers 429 with Retry-After and does not reach the password check.
 */
import { SalescastError } from '../core/errors.js';
import type { CounterStore } from './counter-store.js';

export interface ThrottleLimits {
  /** Failures of one account before it is locked. */
  accountFailures: number;
  /** Failures from one address before it is locked. */
  addressFailures: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  accountFailures: 5,
  addressFailures: 20,
  windowMs: 15 * 60_000,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
};

export interface LoginThrottle {
  /** Throws `LOGIN_THROTTLED` (with `retryAfterSeconds` in details) if either key is locked. */
  check(email: string, address: string): Promise<void>;
  recordFailure(email: string, address: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

export function createLoginThrottle(
  store: CounterStore,
  limits: ThrottleLimits = DEFAULT_THROTTLE,
): LoginThrottle {
  const keys = (email: string, address: string) =>
    [
      [`acct:${email}`, limits.accountFailures],
      [`addr:${address}`, limits.addressFailures],
    ] as const;
  const backoff = (failures: number, threshold: number) =>
    Math.min(limits.maxLockMs, limits.baseLockMs * 2 ** Math.min(20, failures - threshold));
  return {
    async check(email, address) {
      for (const [key] of keys(email, address)) {
        const ms = await store.lockRemainingMs(key);
        if (ms > 0) {
          const retryAfterSeconds = Math.ceil(ms / 1000);
          throw new SalescastError(
            'LOGIN_THROTTLED',
            `Too many failed logins; try again in ${retryAfterSeconds} s.`,
            {},
            { retryAfterSeconds },
          );
        }
      }
    },
    async recordFailure(email, address) {
      for (const [key, threshold] of keys(email, address)) {
        const n = await store.increment(key, limits.windowMs);
        if (n >= threshold) await store.lock(key, backoff(n, threshold));
      }
    },
    async recordSuccess(email) {
      await store.reset(`acct:${email}`);
    },
  };
}
