/** Schedules of the caller's tenant: retrains or monitoring checks on a cron expression, retrains on decay or drift. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SCHEDULE_JOBS, SCHEDULE_TRIGGERS } from '../../mlops/schedules.js';
import type { Platform } from '../../platform/platform.js';
import { contextOf, principalOf } from '../plugins/auth.js';
import { RetrainBody } from './jobs.js';

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Schedule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  trigger: Type.String(),
  job: Type.String({ description: 'retrain | monitor' }),
  cron: Nullable(Type.String()),
  timezone: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  next_run_at: Nullable(Type.String()),
  last_run_at: Nullable(Type.String()),
  last_job_id: Nullable(Type.String()),
  created_by: Type.String(),
  created_at: Type.String(),
});

export const scheduleRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (
  app,
  { platform },
) => {
  const { schedules } = platform.operations;
  app.get(
    '/schedules',
    { schema: { tags: ['schedules'], response: { 200: Type.Object({ schedules: Type.Array(Schedule) }) } } },
    async (request) => ({ schedules: await schedules.list(principalOf(request)) }),
  );
  app.post(
    '/schedules',
    {
      schema: {
        tags: ['schedules'],
        description:
          "A 'cron' schedule enqueues its job at each tick of its expression (croner syntax, or daily / weekly / monthly): a retrain, or with job 'monitor' a monitoring check of the dataset (default the newest when it runs) and the actuals streamed after it. A 'decay' or 'drift' schedule enqueues a retrain when monitoring finds decay or drift. Needs models:train.",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            trigger: Type.Union(SCHEDULE_TRIGGERS.map((t) => Type.Literal(t))),
            cron: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            job: Type.Optional(
              Type.Union(
                SCHEDULE_JOBS.map((j) => Type.Literal(j)),
                { description: "Default 'retrain'; 'monitor' only with trigger 'cron'" },
              ),
            ),
            payload: Type.Optional(RetrainBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: Schedule },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await schedules.create(
        principalOf(request),
        {
          name: b.name,
          trigger: b.trigger,
          cron: b.cron,
          timezone: b.timezone,
          job: b.job,
          payload: b.payload ? { ...b.payload } : {},
        },
        contextOf(request),
      );
      return reply.status(201).send(created);
    },
  );
  app.delete(
    '/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await schedules.delete(principalOf(request), request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
};
