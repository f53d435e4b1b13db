/**
 * The serving registry holds at most `maxEntries` served versions, dropping the least recently
 * used; a dropped one loads again on its next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingRegistry } from '../../src/realtime/serving.js';
import { type Harness, startHarness } from '../platform/harness.js';
import { fitStreamingDemo, SwitchableModels } from './fixtures.js';

describe('ServingRegistry', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h?.close());

  it('keeps the most recently used versions and reloads a dropped one', async () => {
    const tenants = ['t1', 't2', 't3'];
    const models = new SwitchableModels(() => tenants).add(
      1,
      fitStreamingDemo({ days: 90, holdout: 5, trees: 3 }).forecaster,
    );
    models.setProduction(1);
    const registry = new ServingRegistry(models, h.platform.store, { maxEntries: 2 });
    try {
      const t1 = await registry.get('t1');
      const t2 = await registry.get('t2');
      // Using t1 makes t2 the least recently used, so loading t3 drops t2, not t1.
      expect(await registry.get('t1')).toBe(t1);
      const t3 = await registry.get('t3');
      expect(await registry.get('t1')).toBe(t1);
      expect(await registry.get('t3')).toBe(t3);
      const again = await registry.get('t2');
      expect(again).not.toBe(t2);
      expect(again.tenantId).toBe('t2');
      expect(again.model.version).toBe(1);
      // Loading t2 dropped the least recently used of t1 and t3: t1.
      expect((await registry.loaded('t1')).length).toBe(0);
      expect((await registry.loaded('t3')).length).toBe(1);
    } finally {
      registry.close();
    }
  });
});
