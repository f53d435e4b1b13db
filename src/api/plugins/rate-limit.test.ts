import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotStore } from './rate-limit.js';

/** One `incr` of `store`, returned instead of passed to a callback. */
function incr(store: SnapshotStore, key: string, windowMs = 60_000): { current: number; ttl: number } {
  let out: { current: number; ttl: number } | undefined;
  store.incr(
    key,
    (error, result) => {
      expect(error).toBeNull();
      out = result;
    },
    windowMs,
  );
  return out!;
}

describe('SnapshotStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts each client apart and hands back a snapshot, not its live counter', () => {
    const store = new SnapshotStore();
    const first = incr(store, 'key:a');
    expect(incr(store, 'key:a').current).toBe(2);
    expect(incr(store, 'key:b').current).toBe(1);
    expect(incr(store, 'key:a').current).toBe(3);
    // The first answer is not moved by the later requests.
    expect(first.current).toBe(1);
  });

  it('starts a new window once the last one has passed, and reports the time left in it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = new SnapshotStore();
    expect(incr(store, 'key:a', 1000)).toEqual({ current: 1, ttl: 1000 });
    vi.advanceTimersByTime(400);
    expect(incr(store, 'key:a', 1000)).toEqual({ current: 2, ttl: 600 });
    vi.advanceTimersByTime(600);
    expect(incr(store, 'key:a', 1000)).toEqual({ current: 1, ttl: 1000 });
  });

  it('drops the least recently seen client past MAX_CLIENTS, not a busy one', () => {
    const store = new SnapshotStore();
    incr(store, 'busy');
    incr(store, 'busy');
    for (let i = 0; i < SnapshotStore.MAX_CLIENTS - 1; i++) incr(store, `client:${i}`);
    // The busy client was seen longer ago than every other: one more request keeps it.
    expect(incr(store, 'busy').current).toBe(3);
    incr(store, 'one-too-many');
    expect(incr(store, 'busy').current).toBe(4);
    // client:0, the least recently seen then, was dropped and starts over; its return drops client:1.
    expect(incr(store, 'client:0').current).toBe(1);
    expect(incr(store, 'client:1').current).toBe(1);
  });
});
