/**
 * Declarative hyperparameter tables and the one validator every learner calls at `fit`
 * (scikit-learn's `_parameter_constraints`). A learner declares `name → spec`; the validator
 * rejects unknown names and values outside the spec with one message shape:
 * "The 'learningRate' parameter of GradientBoosting must be a number in (0, ∞); got -1 instead."
 */

import { SalescastError } from '../core/errors.js';

/** Bounds shared by scalar and array number specs. Missing bounds are infinite. */
interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  /** `min` itself is not allowed: (min, …. */
  readonly minExclusive?: boolean;
  /** `max` itself is not allowed: …, max). */
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

/** What one hyperparameter accepts. `nullable` also accepts `null` (e.g. "no limit"). */
export type ParamSpec = { readonly nullable?: boolean } & (
  | ({ readonly kind: 'number' } & NumberBounds)
  | { readonly kind: 'options'; readonly options: readonly (string | number | boolean)[] }
  | { readonly kind: 'boolean' }
  | ({ readonly kind: 'numberArray' } & NumberBounds)
);

/** A learner's table: parameter name → spec. */
export type ParamTable = Readonly<Record<string, ParamSpec>>;

/**
 * Merges user params over defaults, ignoring keys whose value is `undefined` (so `{ alpha: undefined }`
 * means "use the default", as an omitted key does), and freezes the result.
 */
export function withDefaults<P extends object>(defaults: P, given: Partial<P> = {}): Readonly<P> {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  return Object.freeze(merged) as Readonly<P>;
}

/**
 * Checks every entry of `params` against `table`.
 * Throws `SalescastError('INVALID_HYPERPARAMETER', …, { field: name })` on the first unknown name
 * or invalid value. `undefined` values are treated as absent and accepted.
 */
export function validateParams(
  estimator: string,
  table: ParamTable,
  params: Readonly<Record<string, unknown>>,
): void {
  for (const [name, value] of Object.entries(params)) {
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (spec === undefined) {
      const known = Object.keys(table)
        .map((k) => `'${k}'`)
        .join(', ');
      throw new SalescastError(
        'INVALID_HYPERPARAMETER',
        `${estimator} has no parameter '${name}'; valid parameters are ${known}.`,
        { field: name },
      );
    }
    if (value === undefined || (value === null && spec.nullable)) continue;
    if (!conforms(spec, value)) {
      throw hyperparameterError(estimator, name, describe(spec), value);
    }
  }
}

/**
 * The error for a value that breaks a rule the table cannot express (e.g. a cross-parameter rule),
 * in the same shape as table violations. `expectation` completes "must be …".
 */
export function hyperparameterError(
  estimator: string,
  name: string,
  expectation: string,
  value: unknown,
): SalescastError {
  return new SalescastError(
    'INVALID_HYPERPARAMETER',
    `The '${name}' parameter of ${estimator} must be ${expectation}; got ${formatValue(value)} instead.`,
    { field: name },
  );
}

function conforms(spec: ParamSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'number':
      return inBounds(spec, value);
    case 'options':
      return spec.options.includes(value as string | number | boolean);
    case 'boolean':
      return typeof value === 'boolean';
    case 'numberArray':
      return (
        (Array.isArray(value) || ArrayBuffer.isView(value)) &&
        Array.from(value as ArrayLike<unknown>).every((v) => inBounds(spec, v))
      );
  }
}

function inBounds(b: NumberBounds, v: unknown): boolean {
  // ±∞ and NaN are never valid: "no limit" is spelled `null` through `nullable`.
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (b.integer && !Number.isInteger(v)) return false;
  if (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) return false;
  return !(b.max !== undefined && (b.maxExclusive ? v >= b.max : v > b.max));
}

function describe(spec: ParamSpec): string {
  const orNull = spec.nullable ? ' or null' : '';
  switch (spec.kind) {
    case 'number':
      return `${spec.integer ? 'an integer' : 'a number'} in ${interval(spec)}${orNull}`;
    case 'options':
      return `one of ${spec.options.map(formatValue).join(', ')}${orNull}`;
    case 'boolean':
      return `a boolean${orNull}`;
    case 'numberArray':
      return `an array of ${spec.integer ? 'integers' : 'numbers'} in ${interval(spec)}${orNull}`;
  }
}

function interval(b: NumberBounds): string {
  const lo = b.min === undefined ? '-∞' : String(b.min);
  const hi = b.max === undefined ? '∞' : String(b.max);
  const open = lo === '-∞' || b.minExclusive ? '(' : '[';
  const close = hi === '∞' || b.maxExclusive ? ')' : ']';
  return `${open}${lo}, ${hi}${close}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, formatValue).join(', ')}]`;
  }
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
