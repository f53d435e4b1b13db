/**
 * The retrain job's steps over the model registry. A job acts as the system actor `job:<id>`, so
 * every version it registers carries `created_by = system:job:<id>`: that is the idempotency key.
 * The registry's train-and-register commits in one transaction, so an attempt killed midway left
 * nothing, and a retry finds the version of an attempt that did commit instead of training again.
 */
import { isSalescastError } from '../core/errors.js';
import type { RequestContext } from '../platform/principal.js';
import { type RegistryService, systemActor } from './registry-service.js';
import type { ChampionComparison, RetrainSteps } from './retrain.js';

export function registryRetrainSteps(registry: RegistryService): RetrainSteps {
  const ctxOf = (key: string): RequestContext => ({ requestId: key, ip: 'worker' });
  return {
    async trainAndRegister(tenantId, req) {
      const by = systemActor(tenantId, req.idempotencyKey);
      const existing = await registry
        .getModel(by, req.model)
        .then((m) => m.versions.find((v) => v.created_by === `system:${req.idempotencyKey}`))
        .catch((e: unknown) => {
          if (isSalescastError(e) && e.code === 'NOT_FOUND') return undefined;
          throw e;
        });
      if (existing) {
        return {
          version: existing.version,
          run_id: existing.run_id ?? '',
          metrics: { ...existing.metrics.aggregate },
          reused: true,
          streamed_through: streamedThrough(existing.hyperparameters),
        };
      }
      await req.log(`training: AutoML with ${req.trials} trials, backtest, fit`);
      const { run, version } = await registry.train(
        by,
        {
          datasetId: req.datasetId,
          modelName: req.model,
          kind: 'retrain',
          horizon: req.horizon,
          model: 'automl',
          trials: req.trials,
          seed: req.seed,
          streamedActuals: req.streamedActuals,
        },
        ctxOf(req.idempotencyKey),
      );
      if (!version) throw new Error(`run ${run.id} registered no version`);
      return {
        version: version.version,
        run_id: run.id,
        metrics: { ...version.metrics.aggregate },
        reused: false,
        streamed_through: streamedThrough(version.hyperparameters),
      };
    },
    async compare(tenantId, req): Promise<ChampionComparison> {
      const evaluation = await registry.evaluate(systemActor(tenantId, 'retrain'), req.model, req.version);
      return {
        promote: evaluation.decision.promote,
        reason: evaluation.decision.reason,
        champion_version: evaluation.champion,
        comparisons: evaluation.decision.comparisons,
      };
    },
    async promote(tenantId, req) {
      const by = systemActor(tenantId, req.actor);
      const current = await registry.getVersion(by, req.model, req.version);
      // A retry of an attempt that promoted and then died: the work is already done.
      if (current.stage === 'production') return;
      await registry.promote(by, req.model, req.version, { reason: req.reason }, ctxOf(req.actor));
    },
  };
}

function streamedThrough(hyperparameters: Record<string, unknown>): string | null {
  const through = hyperparameters.streamed_through;
  return typeof through === 'string' ? through : null;
}
