/**
 * Dataset uploads (multipart, one part per source file, streamed) and reads. The part's file name
 * says which source it is (`sales.csv` → sales).
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { isSalescastError, SalescastError } from '../../core/errors.js';
import type { UploadPart } from '../../platform/dataset-service.js';
import type { Platform } from '../../platform/platform.js';
import { requirePermission } from '../../platform/principal.js';
import { contextOf, principalOf } from '../plugins/auth.js';

const Dataset = Type.Object({
  id: Type.String(),
  name: Type.String(),
  files: Type.Array(Type.String()),
  rows: Type.Integer(),
  bytes: Type.Integer(),
  input_hash: Type.String(),
  code_version: Type.String(),
  created_by: Type.String(),
  created_at: Type.String(),
});
const DatasetWithReport = Type.Composite([Dataset, Type.Object({ report: Type.Unknown() })]);

/** The file parts of a multipart request; a `name` field (before the files) names the dataset. */
async function* fileParts(request: FastifyRequest, meta: { name?: string }): AsyncGenerator<UploadPart> {
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') yield { filename: part.filename, stream: part.file };
      else if (part.fieldname === 'name' && typeof part.value === 'string')
        meta.name = part.value.slice(0, 200);
    }
  } catch (e) {
    // The multipart parser's own failures (no boundary, a body cut short) are the client's.
    if (isSalescastError(e) || (e as { statusCode?: number }).statusCode !== undefined) throw e;
    throw new SalescastError(
      'SOURCE_UNREADABLE',
      `the upload is not well-formed multipart/form-data: ${(e as Error).message}.`,
      { field: 'body' },
    );
  }
}

export const datasetRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const { config } = platform;
  await app.register(multipart, {
    limits: {
      // One byte over the service's own limit, so the service's check (which names the file) fires first.
      fileSize: config.maxUploadFileBytes + 1,
      files: config.maxUploadFiles + 1,
      fields: 10,
      fieldSize: 1024,
      parts: config.maxUploadFiles + 11,
    },
  });
  app.post(
    '/datasets',
    {
      schema: {
        tags: ['datasets'],
        consumes: ['multipart/form-data'],
        description: 'One part per source file, named after its source (sales.csv, products.parquet, …).',
        response: { 201: DatasetWithReport },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      // Refuse before reading the body, so a forbidden caller cannot make us stream it.
      requirePermission(p, 'datasets:upload');
      if (!request.isMultipart()) {
        throw new SalescastError('UNSUPPORTED_MEDIA_TYPE', 'POST /v1/datasets takes multipart/form-data.');
      }
      const meta: { name?: string } = {};
      const dataset = await platform.datasets.upload(p, fileParts(request, meta), contextOf(request), meta);
      return reply.status(201).send(dataset);
    },
  );
  app.get(
    '/datasets',
    {
      schema: {
        tags: ['datasets'],
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ datasets: Type.Array(Dataset) }) },
      },
    },
    async (request) => ({
      datasets: await platform.datasets.list(principalOf(request), request.query.limit),
    }),
  );
  app.get(
    '/datasets/:id',
    {
      schema: {
        tags: ['datasets'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: DatasetWithReport },
      },
    },
    async (request) => platform.datasets.get(principalOf(request), request.params.id),
  );
};
