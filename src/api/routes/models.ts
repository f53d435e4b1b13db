/**
 * The model registry: models with their versions and stage history, promotion (under the
 * promotion policy unless an admin forces it) and one-call rollback.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { POLICY_METRICS, type PromotionPolicy } from '../../mlops/promotion-policy.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { stringEnum } from '../schemas.js';

const Json = Type.Record(Type.String(), Type.Unknown());
const Name = Type.String({ minLength: 1, maxLength: 64 });

/** A version number as a request gives one: beyond 2^31 − 1 it is no version, and loses precision. */
const VersionNumber = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });

export const ModelVersion = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  stage: Type.String({ description: 'staging | production | archived' }),
  artifact_bytes: Type.Integer(),
  artifact_sha256: Type.String(),
  metrics: Type.Unknown({ description: 'the backtest metrics of the run that registered it' }),
  hyperparameters: Json,
  run_id: Type.Union([Type.String(), Type.Null()]),
  dataset_id: Type.Union([Type.String(), Type.Null()]),
  input_hash: Type.String(),
  code_version: Type.String(),
  created_by: Type.String(),
  created_at: Type.String(),
});

const Model = Type.Object({
  name: Type.String(),
  latest_version: Type.Integer(),
  production_version: Type.Union([Type.Integer(), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

const StageChange = Type.Object({
  version: Type.Integer(),
  from_stage: Type.Union([Type.String(), Type.Null()]),
  to_stage: Type.String(),
  actor: Type.String(),
  reason: Type.String(),
  metrics: Json,
  at: Type.String(),
});

const Metric = stringEnum(POLICY_METRICS);
const PolicyBody = Type.Object(
  {
    primary_metric: Type.Optional(Metric),
    min_improvement_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    key_metrics: Type.Optional(Type.Array(Metric, { maxItems: POLICY_METRICS.length })),
    max_regression_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const Evaluation = Type.Object({
  version: Type.Integer(),
  champion: Type.Union([Type.Integer(), Type.Null()]),
  decision: Type.Object({
    promote: Type.Boolean(),
    reason: Type.String(),
    comparisons: Type.Unknown({
      description: 'one entry per metric: challenger, champion, change_pct, verdict',
    }),
    policy: Type.Unknown(),
  }),
  champion_metrics: Type.Unknown({ description: "the champion's metrics on the challenger's windows" }),
});

function policyOf(
  body: { [K in keyof typeof PolicyBody.static]?: (typeof PolicyBody.static)[K] } | undefined,
) {
  if (!body) return undefined;
  const p: { -readonly [K in keyof PromotionPolicy]?: PromotionPolicy[K] } = {};
  if (body.primary_metric !== undefined) p.primaryMetric = body.primary_metric;
  if (body.min_improvement_pct !== undefined) p.minImprovementPct = body.min_improvement_pct;
  if (body.key_metrics !== undefined) p.keyMetrics = body.key_metrics;
  if (body.max_regression_pct !== undefined) p.maxRegressionPct = body.max_regression_pct;
  return p;
}

export const modelRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  // Promote and rollback take an optional body: a bare POST means "with the defaults".
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });
  app.get(
    '/models',
    { schema: { tags: ['models'], response: { 200: Type.Object({ models: Type.Array(Model) }) } } },
    async (request) => ({ models: await platform.registry.listModels(principalOf(request)) }),
  );
  app.get(
    '/models/:name',
    {
      schema: {
        tags: ['models'],
        description: 'The model, its versions (newest first) and its stage history (oldest first).',
        params: Type.Object({ name: Name }),
        response: {
          200: Type.Object({
            model: Model,
            versions: Type.Array(ModelVersion),
            history: Type.Array(StageChange),
          }),
        },
      },
    },
    async (request) => platform.registry.getModel(principalOf(request), request.params.name),
  );
  app.get(
    '/models/:name/versions/:version',
    {
      schema: {
        tags: ['models'],
        params: Type.Object({ name: Name, version: VersionNumber }),
        response: { 200: ModelVersion },
      },
    },
    async (request) =>
      platform.registry.getVersion(principalOf(request), request.params.name, request.params.version),
  );
  app.post(
    '/models/:name/versions/:version/promote',
    {
      schema: {
        tags: ['models'],
        description:
          "Promotes the version to production if the promotion policy passes: the champion is re-scored on the challenger's backtest windows. `force` (admins only) skips the policy; `dry_run` only evaluates. A refusal answers 409 PROMOTION_REJECTED and is audited.",
        params: Type.Object({ name: Name, version: VersionNumber }),
        body: Type.Object(
          {
            force: Type.Optional(Type.Boolean()),
            dry_run: Type.Optional(Type.Boolean()),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
            policy: Type.Optional(PolicyBody),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            promoted: Type.Boolean(),
            version: ModelVersion,
            previous: Type.Union([Type.Integer(), Type.Null()]),
            evaluation: Type.Union([Evaluation, Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const b = request.body;
      return platform.registry.promote(
        principalOf(request),
        request.params.name,
        request.params.version,
        { force: b.force, dryRun: b.dry_run, reason: b.reason, policy: policyOf(b.policy) },
        contextOf(request),
      );
    },
  );
  app.post(
    '/models/:name/rollback',
    {
      schema: {
        tags: ['models'],
        description:
          'Restores the previous production version (or `to_version`) in one transaction; serving picks it up on its next request.',
        params: Type.Object({ name: Name }),
        body: Type.Object(
          {
            to_version: Type.Optional(VersionNumber),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ version: ModelVersion, previous: Type.Integer() }) },
      },
    },
    async (request) =>
      platform.registry.rollback(
        principalOf(request),
        request.params.name,
        { toVersion: request.body.to_version, reason: request.body.reason },
        contextOf(request),
      ),
  );
};
