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

/** One schema violation as Ajv reports it. */
interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: ValidationIssue[];
  validationContext?: string;
}

/**
 * What is wrong with the value at `path`, from every issue Ajv found there: a choice among
 * constants lists them (Ajv reports one per constant), and a value that may also be null is told
 * what else it may be rather than that it is not null.
 */
function describeIssue(issues: readonly ValidationIssue[], path: string | undefined): string | undefined {
  const here = issues.filter((i) => i.instancePath === path && i.keyword !== 'anyOf');
  const allowed = here.filter((i) => i.keyword === 'const').map((i) => i.params?.allowedValue);
  if (allowed.length > 0 && allowed.length === here.length)
    return `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  const notNull = here.filter((i) => !(i.keyword === 'type' && i.params?.type === 'null'));
  if (notNull.length > 0 && notNull.length < here.length) return `${notNull[0].message} (or null)`;
  return undefined;
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
    const what = missing
      ? `is required`
      : extra
        ? `is not an allowed property`
        : (describeIssue(err.validation, v.instancePath) ?? v.message ?? 'is invalid');
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
