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
  it('evicts in order of last use, a hit or a set counting as a use', () => {
    const c = new TtlLru<number>(3, 1000);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    c.get('a');
    c.set('b', 20); // order of use now: c, a, b
    c.set('d', 4);
    expect(c.get('c')).toBeUndefined();
    c.set('e', 5); // a is now the least recently used
    expect(c.get('a')).toBeUndefined();
    expect([c.get('b'), c.get('d'), c.get('e')]).toEqual([20, 4, 5]);
    expect(c.size).toBe(3);
  });
  it('keeps its order through expiries, deletions and a clear', () => {
    let now = 0;
    const c = new TtlLru<number>(2, 100, () => now);
    c.set('a', 1);
    now = 50;
    c.set('b', 2);
    now = 100; // a expires on this lookup; b is the only entry left
    expect(c.get('a')).toBeUndefined();
    c.set('c', 3);
    c.set('d', 4); // evicts b, the least recently used
    expect([c.get('b'), c.get('c'), c.get('d')]).toEqual([undefined, 3, 4]);
    expect(c.deletePrefix('d')).toBe(1);
    c.set('e', 5);
    c.set('f', 6); // evicts c
    expect([c.get('c'), c.get('e'), c.get('f')]).toEqual([undefined, 5, 6]);
    c.clear();
    expect(c.size).toBe(0);
    c.set('g', 7);
    expect(c.get('g')).toBe(7);
  });
  it('ends an entry at its own expiry when that comes before the TTL', () => {
    let now = 0;
    const c = new TtlLru<string>(10, 100, () => now);
    c.set('short', 'v', 40);
    c.set('long', 'w', 500);
    now = 40;
    expect(c.get('short')).toBeUndefined();
    expect(c.get('long')).toBe('w');
    now = 100;
    expect(c.get('long')).toBeUndefined();
  });
  it('peeks without marking an entry used, and not past its expiry', () => {
    let now = 0;
    const c = new TtlLru<number>(2, 100, () => now);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.peek('a')).toBe(1);
    c.set('c', 3); // a, only peeked at, is still the least recently used
    expect([c.peek('a'), c.peek('b'), c.peek('c')]).toEqual([undefined, 2, 3]);
    now = 100;
    expect(c.peek('b')).toBeUndefined();
  });
  it('drops the entries a predicate picks', () => {
    const c = new TtlLru<{ tenant: string }>(10, 1000);
    c.set('k1', { tenant: 't1' });
    c.set('k2', { tenant: 't2' });
    c.set('k3', { tenant: 't1' });
    expect(c.deleteWhere((v) => v.tenant === 't1')).toBe(2);
    expect([c.get('k1'), c.get('k2'), c.get('k3')]).toEqual([undefined, { tenant: 't2' }, undefined]);
  });
  it('drops keys by prefix', () => {
    const c = new TtlLru<number>(10, 1000);
    c.set('t1|m|1|x', 1);
    c.set('t1|m|2|x', 2);
    c.set('t2|m|1|x', 3);
    expect(c.valuesWithPrefix('t1|')).toEqual([1, 2]);
    expect(c.deletePrefix('t1|m|')).toBe(2);
    expect(c.get('t2|m|1|x')).toBe(3);
  });
});
