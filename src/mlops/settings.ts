/**
 * A tenant's MLOps settings: whether a retrain may promote a better model on its own, and the
 * decay policy monitoring applies. Anyone with `forecasts:view` reads them; changing them takes
 * `models:promote`, because allowing automatic promotion hands promotion to the machine, and the
 * decay policy decides when that machine retrains.
 */
import { SalescastError } from '../core/errors.js';
import { appendAudit } from '../platform/audit-service.js';
import type { RequestContext } from '../platform/principal.js';
import type { Store } from '../store/store.js';
import { actorLabel, authorizeActor } from './actors.js';
import { checkDecayPolicy, DEFAULT_DECAY_POLICY, type DecayPolicy } from './decay.js';
import type { Actor } from './registry-service.js';

export interface MlopsSettings {
  /** A retrain promotes a challenger that passes the policy (default false: a person promotes). */
  auto_promote: boolean;
  decay: DecayPolicy;
  updated_by: string | null;
  updated_at: string | null;
}

export const DEFAULT_MLOPS_SETTINGS: MlopsSettings = {
  auto_promote: false,
  decay: DEFAULT_DECAY_POLICY,
  updated_by: null,
  updated_at: null,
};

export interface MlopsSettingsService {
  /** The tenant's settings (defaults until changed); no permission check, for jobs. */
  read(tenantId: string): Promise<MlopsSettings>;
  get(p: Actor): Promise<MlopsSettings>;
  update(
    p: Actor,
    change: { auto_promote?: boolean; decay?: Partial<DecayPolicy> },
    ctx: RequestContext,
  ): Promise<MlopsSettings>;
}

export function createMlopsSettingsService(deps: { store: Store; now?: () => Date }): MlopsSettingsService {
  const now = deps.now ?? (() => new Date());
  const read = async (tenantId: string): Promise<MlopsSettings> => {
    const row = await deps.store.withTenant(tenantId, (r) => r.monitoring.getSettings());
    if (!row) return DEFAULT_MLOPS_SETTINGS;
    return {
      auto_promote: Number(row.auto_promote) === 1,
      decay: {
        margin: Number(row.decay_margin),
        periods: Number(row.decay_periods),
        periodDays: Number(row.decay_period_days),
      },
      updated_by: row.updated_by,
      updated_at: row.updated_at,
    };
  };
  return {
    read,
    async get(p) {
      authorizeActor(p, 'forecasts:view');
      return read(p.tenantId);
    },
    async update(p, change, ctx) {
      authorizeActor(p, 'models:promote');
      if (change.auto_promote === undefined && change.decay === undefined) {
        throw new SalescastError('INVALID_ARGUMENT', 'Nothing to change: give auto_promote or decay.');
      }
      const current = await read(p.tenantId);
      const decay = checkDecayPolicy({ ...current.decay, ...change.decay });
      const at = now().toISOString();
      const next: MlopsSettings = {
        auto_promote: change.auto_promote ?? current.auto_promote,
        decay,
        updated_by: actorLabel(p),
        updated_at: at,
      };
      await deps.store.withTenant(p.tenantId, async (r) => {
        await r.monitoring.putSettings({
          auto_promote: next.auto_promote ? 1 : 0,
          decay_margin: decay.margin,
          decay_periods: decay.periods,
          decay_period_days: decay.periodDays,
          updated_by: actorLabel(p),
          updated_at: at,
        });
        await appendAudit(
          r,
          {
            actor: actorLabel(p),
            action: 'mlops.settings.update',
            target: `tenant:${p.tenantId}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { auto_promote: next.auto_promote, decay },
          },
          now(),
        );
      });
      return next;
    },
  };
}
