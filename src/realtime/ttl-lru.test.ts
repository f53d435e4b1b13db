import { describe, expect, it } from 'vitest';
import { TtlLru } from './ttl-lru.js';

describe('TtlLru', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const c = new TtlLru<number>(2, 1000);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c')]).toEqual([1, 3]);
  });
  it('expires entries after their TTL', () => {
    let now = 0;
    const c = new TtlLru<string>(10, 100, () => now);
    c.set('k', 'v');
    now = 99;
    expect(c.get('k')).toBe('v');
    now = 100;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });
  it('drops keys by prefix', () => {
    const c = new TtlLru<number>(10, 1000);
    c.set('t1|m|1|x', 1);
    c.set('t1|m|2|x', 2);
    c.set('t2|m|1|x', 3);
    expect(c.deletePrefix('t1|m|')).toBe(2);
    expect(c.get('t2|m|1|x')).toBe(3);
  });
});
