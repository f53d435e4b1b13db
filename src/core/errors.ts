/**
 * The one registry of salescast error codes. Every failure a user can see carries one of these
 * codes: the CLI maps it to an exit code and the HTTP API to a status and an
 * `application/problem+json` body. Codes are stable; messages may improve.
 */

export interface ErrorCodeSpec {
  /** HTTP status used by the API. */
  readonly status: number;
  /** Process exit code used by the CLI: 2 for bad input or usage, 1 for failures. */
  readonly exitCode: 1 | 2;
  /** A short, stable title (the problem+json `title`). */
  readonly title: string;
  /** What the code means, for docs/ERRORS.md. */
  readonly description: string;
}

export const ERROR_CODES = {
  // Usage and input
  USAGE: {
    status: 400,
    exitCode: 2,
    title: 'Invalid usage',
    description:
      'A command or request was called with an unknown option, a missing argument or a malformed value.',
  },
  INVALID_ARGUMENT: {
    status: 400,
    exitCode: 2,
    title: 'Invalid argument',
    description: 'An argument or parameter is outside its allowed range or of the wrong type.',
  },
  INVALID_HYPERPARAMETER: {
    status: 400,
    exitCode: 2,
    title: 'Invalid hyperparameter',
    description: 'A learner hyperparameter is outside its declared interval or options.',
  },
  SOURCE_NOT_FOUND: {
    status: 400,
    exitCode: 2,
    title: 'Source not found',
    description: 'A required input file or folder does not exist.',
  },
  SOURCE_UNREADABLE: {
    status: 400,
    exitCode: 2,
    title: 'Source unreadable',
    description: 'An input file cannot be parsed in any supported format (CSV, Parquet, JSON, NDJSON).',
  },
  SOURCE_EMPTY: {
    status: 400,
    exitCode: 2,
    title: 'Source empty',
    description: 'An input file has no header or no data rows.',
  },
  MISSING_COLUMN: {
    status: 400,
    exitCode: 2,
    title: 'Missing column',
    description: 'An input file lacks a column that its schema requires.',
  },
  INVALID_CONFIG: {
    status: 400,
    exitCode: 2,
    title: 'Invalid configuration',
    description: 'A configuration file is malformed or names unknown sources, columns or options.',
  },
  REJECTED_ROWS: {
    status: 422,
    exitCode: 2,
    title: 'Rows rejected',
    description: 'Validation rejected rows and strict mode was requested.',
  },
  INVALID_DATA: {
    status: 422,
    exitCode: 2,
    title: 'Invalid data',
    description: 'Input data is readable but cannot be used: wrong shape, non-finite values or too few rows.',
  },
  NOT_FITTED: {
    status: 409,
    exitCode: 1,
    title: 'Not fitted',
    description: 'A model was asked to predict before it was fitted.',
  },
  INVALID_ARTIFACT: {
    status: 422,
    exitCode: 2,
    title: 'Invalid artifact',
    description: 'A serialized model artifact is corrupt or of an unsupported version.',
  },
  // Platform (HTTP API)
  UNAUTHENTICATED: {
    status: 401,
    exitCode: 2,
    title: 'Unauthenticated',
    description: 'No valid credentials: a missing, expired or revoked token or API key, or a wrong password.',
  },
  FORBIDDEN: {
    status: 403,
    exitCode: 2,
    title: 'Forbidden',
    description: "The caller's role does not grant the permission this action needs.",
  },
  NOT_FOUND: {
    status: 404,
    exitCode: 2,
    title: 'Not found',
    description: "The resource does not exist in the caller's tenant.",
  },
  CONFLICT: {
    status: 409,
    exitCode: 2,
    title: 'Conflict',
    description: 'The resource already exists or is in a state that forbids the action.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    exitCode: 2,
    title: 'Payload too large',
    description: 'A request body or uploaded file exceeds its size limit.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exitCode: 2,
    title: 'Unsupported media type',
    description: 'The request body is not of a content type this route accepts.',
  },
  RATE_LIMITED: {
    status: 429,
    exitCode: 1,
    title: 'Rate limited',
    description: 'The client sent more requests than its plan allows per window; see Retry-After.',
  },
  LOGIN_THROTTLED: {
    status: 429,
    exitCode: 1,
    title: 'Login throttled',
    description: 'Too many failed logins for this account or address; see Retry-After.',
  },
  QUOTA_EXCEEDED: {
    status: 429,
    exitCode: 1,
    title: 'Quota exceeded',
    description: "A hard quota of the tenant's plan is used up; the body names the quota.",
  },
  TENANT_SUSPENDED: {
    status: 403,
    exitCode: 2,
    title: 'Tenant suspended',
    description: 'The tenant is suspended; its users and keys cannot act until it is reinstated.',
  },
  WEAK_PASSWORD: {
    status: 400,
    exitCode: 2,
    title: 'Weak password',
    description: 'The password does not meet the password policy (length and character classes).',
  },
  PROMOTION_REJECTED: {
    status: 409,
    exitCode: 1,
    title: 'Promotion rejected',
    description:
      'The promotion policy kept the champion: the challenger did not beat it on the same backtest windows by the required margin, or a key metric regressed.',
  },
  AUDIT_CHAIN_BROKEN: {
    status: 409,
    exitCode: 1,
    title: 'Audit chain broken',
    description: 'The audit hash chain does not verify: an entry was edited, inserted or deleted.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    exitCode: 1,
    title: 'Service unavailable',
    description: 'A dependency (database, Redis) is not reachable, or the server is shutting down.',
  },
  // Failures
  INTERNAL: {
    status: 500,
    exitCode: 1,
    title: 'Internal error',
    description: 'An unexpected failure. The log carries the details under the request id.',
  },
  IO_FAILURE: {
    status: 500,
    exitCode: 1,
    title: 'I/O failure',
    description:
      'Reading or writing a file failed for a reason other than bad input (disk full, permissions).',
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in an input the problem is: file, 1-based line (header is line 1), field. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

/**
 * An error a user can act on. Its message names what was wrong and where; it never needs a stack
 * trace to be understood.
 */
export class SalescastError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    location: ErrorLocation = {},
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SalescastError';
    this.code = code;
    this.location = location;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code].exitCode;
  }

  /** One line: `file:line: field: message`, with the parts that apply. */
  toLine(): string {
    const { file, line, field } = this.location;
    // A field of a file is one of its columns; without a file it is an option or a parameter. A
    // message that already names the field is not prefixed with it again.
    const fieldLabel =
      field && !namesField(this.message, field) && (file ? `column '${field}'` : `'${field}'`);
    const where = [file && (line !== undefined ? `${file}:${line}` : file), fieldLabel]
      .filter(Boolean)
      .join(': ');
    return where && !this.message.includes(file ?? '\u0000') ? `${where}: ${this.message}` : this.message;
  }
}

/** Whether `message` names `field` as a word of its own, or as the option `--field`. */
function namesField(message: string, field: string): boolean {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])(--)?${escaped}($|[^\\w-])`).test(message);
}

/** Thrown when a model predicts, explains or serializes before `fit`. */
export class NotFittedError extends SalescastError {
  constructor(estimator: string) {
    super('NOT_FITTED', `This ${estimator} instance is not fitted yet. Call 'fit' before using it.`);
    this.name = 'NotFittedError';
  }
}

export function isSalescastError(e: unknown): e is SalescastError {
  return e instanceof SalescastError;
}

/** Throws INVALID_ARGUMENT: "'field' must be <expected>; got <value> instead." */
export function invalidArgument(field: string, expected: string, value: unknown): never {
  throw new SalescastError(
    'INVALID_ARGUMENT',
    `'${field}' must be ${expected}; got ${String(value)} instead.`,
    {
      field,
    },
  );
}
