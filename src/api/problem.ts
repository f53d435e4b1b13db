/**
 * RFC 9457 problem details: the one error body of the API. Every error becomes a code of the
 * registry in `src/core/errors.ts`; errors from Fastify and its plugins are mapped onto codes, and
 * anything unexpected becomes INTERNAL without its message or stack.
 */
import { type Static, Type } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode, isSalescastError, SalescastError } from '../core/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.String(),
    request_id: Type.String(),
    field: Type.Optional(Type.String()),
    file: Type.Optional(Type.String()),
    line: Type.Optional(Type.Integer()),
    quota: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Number()),
    used: Type.Optional(Type.Number()),
  },
  { $id: 'Problem', description: 'application/problem+json error body' },
);
export type Problem = Static<typeof ProblemSchema>;

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[];
  validationContext?: string;
}

/** Maps any thrown value to a SalescastError (the original when it is one). */
export function toSalescastError(e: unknown): SalescastError {
  if (isSalescastError(e)) return e;
  const err = (e ?? {}) as FastifyLikeError;
  if (Array.isArray(err.validation) && err.validation.length > 0) {
    const v = err.validation[0];
    const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const missing = typeof v.params?.missingProperty === 'string' ? v.params.missingProperty : undefined;
    const extra = typeof v.params?.additionalProperty === 'string' ? v.params.additionalProperty : undefined;
    const field = missing ?? extra ?? (path || err.validationContext || 'body');
    const where = err.validationContext ?? 'body';
    const what = missing ? `is required` : extra ? `is not an allowed property` : (v.message ?? 'is invalid');
    return new SalescastError('INVALID_ARGUMENT', `${where} field '${field}' ${what}.`, { field });
  }
  const status = err.statusCode;
  const byStatus: Partial<Record<number, ErrorCode>> = {
    400: 'USAGE',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    406: 'UNSUPPORTED_MEDIA_TYPE',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'RATE_LIMITED',
    503: 'SERVICE_UNAVAILABLE',
  };
  const code = status !== undefined ? byStatus[status] : undefined;
  if (code) {
    // Fastify's own 4xx messages are safe to show (e.g. "Body is not valid JSON").
    return new SalescastError(code, err.message || ERROR_CODES[code].title);
  }
  return new SalescastError(
    'INTERNAL',
    'An unexpected error occurred; the log has details under the request id.',
  );
}

/** The problem+json body of an error. */
export function problemOf(e: SalescastError, instance: string, requestId: string): Problem {
  const spec = ERROR_CODES[e.code];
  const body: Problem = {
    type: `urn:salescast:error:${e.code}`,
    title: spec.title,
    status: spec.status,
    code: e.code,
    detail: e.message,
    instance,
    request_id: requestId,
  };
  if (e.location.field) body.field = e.location.field;
  if (e.location.file) body.file = e.location.file;
  if (e.location.line !== undefined) body.line = e.location.line;
  const d = e.details ?? {};
  if (typeof d.quota === 'string') body.quota = d.quota;
  if (typeof d.limit === 'number') body.limit = d.limit;
  if (typeof d.used === 'number') body.used = d.used;
  return body;
}
