import { describe, expect, it } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { DEFAULT_DEMO_OPTIONS, resolveDemoOptions } from './options.js';

describe('resolveDemoOptions', () => {
  it('fills defaults', () => {
    expect(resolveDemoOptions()).toEqual(DEFAULT_DEMO_OPTIONS);
    expect(resolveDemoOptions({ stores: 2 })).toEqual({ ...DEFAULT_DEMO_OPTIONS, stores: 2 });
  });

  it.each([
    [{ stores: 0 }, "'stores'"],
    [{ products: 1.5 }, "'products'"],
    [{ days: 0 }, "'days'"],
    [{ seed: -1 }, "'seed'"],
    [{ start: '2023-02-30' }, "'start'"],
    [{ freq: 'month' as never }, "'freq'"],
    [{ stores: 500, products: 2000, days: 3660 }, 'limit'],
  ])('rejects %j with INVALID_ARGUMENT naming the option', (options, fragment) => {
    try {
      resolveDemoOptions(options);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SalescastError);
      expect((e as SalescastError).code).toBe('INVALID_ARGUMENT');
      expect((e as SalescastError).exitCode).toBe(2);
      expect((e as SalescastError).message).toContain(fragment);
    }
  });
});
