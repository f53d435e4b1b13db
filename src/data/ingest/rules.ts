/**
 * Validation rules, run as SQL inside DuckDB over the text view of a source. Each rejected row
 * gets the first reason that applies, in this order: row rules (per column in schema order:
 * missing value, type, range; then cross-column rules), then references (foreign keys, period
 * alignment, store opening), then key uniqueness among the rows that passed everything else.
 * Exact duplicate rows (every schema column identical) are removed before any rule and counted
 * apart: they are not errors. Row and reference rules run in one pass, so each source is
 * materialized once.
 */
import type { Frequency } from '../../core/dates.js';
import { LARGEST_INPUT } from '../../core/magnitude.js';
import { type DuckDBConnection, sqlIdentifier as id, sqlString } from '../duckdb.js';
import { type ColumnSpec, SOURCES, type SourceName } from '../schema.js';

/** Every reason a row can be rejected for, with the meaning documented in docs/DATA.md. */
export const REJECTION_REASONS = {
  wrong_field_count: 'The CSV row has more or fewer fields than the header.',
  malformed_row: 'The CSV row cannot be parsed (e.g. an unterminated quote).',
  missing_value: 'A required column is empty.',
  invalid_number: 'A numeric column holds text that is not a finite number.',
  invalid_date: 'A date column is not a valid date (ISO YYYY-MM-DD, or the configured date_format).',
  invalid_boolean: 'A boolean column is not one of true/false, t/f, 1/0, yes/no, y/n.',
  out_of_range:
    'A number is outside its allowed range (e.g. negative units, discount above 95), or beyond ±10¹² in any numeric column.',
  end_before_start: 'A promotion ends before it starts.',
  unknown_store: 'store_id is not an accepted row of stores.',
  unknown_product: 'product_id is not an accepted row of products.',
  unknown_region: 'The weather region is not the region of any accepted store.',
  not_week_start: 'Weekly sales dated on a day other than Monday.',
  before_opening: "A sale dated before its store's opening_date (weekly: before the week it opened).",
  duplicate_key: 'A later row repeats the key of an earlier accepted row with different values.',
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;

/** The table every rejected row goes to: (source, line, reason, column). */
export const REJECTIONS_TABLE = 'rejections';

const BOOLEAN_TRUE = ['true', 't', '1', 'yes', 'y'];
const BOOLEAN_FALSE = ['false', 'f', '0', 'no', 'n'];

function list(values: readonly string[]): string {
  return values.map(sqlString).join(', ');
}

const text = (c: string) => id(`t$${c}`);

/** SQL turning the trimmed text of `c` into its typed value, NULL when it does not parse. */
function typedExpr(c: ColumnSpec, dateFormat: string | undefined): string {
  const t = text(c.name);
  switch (c.type) {
    case 'string':
      return t;
    case 'number':
    case 'integer':
      return `TRY_CAST(${t} AS DOUBLE)`;
    case 'date':
      return dateSql(t, dateFormat);
    case 'boolean':
      return `CASE WHEN lower(${t}) IN (${list(BOOLEAN_TRUE)}) THEN true WHEN lower(${t}) IN (${list(BOOLEAN_FALSE)}) THEN false END`;
  }
}

/** The row rules of one column, in order, as [SQL condition, reason]. */
function columnRules(c: ColumnSpec): [string, RejectionReason][] {
  const t = `c.${text(c.name)}`;
  const v = `c.${id(c.name)}`;
  const rules: [string, RejectionReason][] = [];
  if (c.required) rules.push([`${t} IS NULL`, 'missing_value']);
  if (c.type === 'number')
    rules.push([`${t} IS NOT NULL AND (${v} IS NULL OR NOT isfinite(${v}))`, 'invalid_number']);
  if (c.type === 'integer') {
    rules.push([
      `${t} IS NOT NULL AND (${v} IS NULL OR NOT isfinite(${v}) OR ${v} <> round(${v}))`,
      'invalid_number',
    ]);
  }
  if (c.type === 'date')
    rules.push([`${t} IS NOT NULL AND (${v} IS NULL OR NOT isfinite(${v}))`, 'invalid_date']);
  if (c.type === 'boolean') rules.push([`${t} IS NOT NULL AND ${v} IS NULL`, 'invalid_boolean']);
  if (c.min !== undefined) rules.push([`${v} < ${c.min}`, 'out_of_range']);
  if (c.greaterThan !== undefined) rules.push([`${v} <= ${c.greaterThan}`, 'out_of_range']);
  if (c.max !== undefined) rules.push([`${v} > ${c.max}`, 'out_of_range']);
  // Every number beyond ±LARGEST_INPUT is a typo or a placeholder, and would overflow the
  // decisions' arithmetic (revenue = units × price) long before any retail figure could.
  if (c.type === 'number' || c.type === 'integer')
    rules.push([`abs(${v}) > ${LARGEST_INPUT}`, 'out_of_range']);
  return rules;
}

/** Rules that span columns: [SQL condition, reason, column named in the report]. */
const CROSS_RULES: Partial<Record<SourceName, [string, RejectionReason, string][]>> = {
  promotions: [['c.end_date < c.start_date', 'end_before_start', 'end_date']],
};

function caseOf(rules: readonly (readonly [string, string, string])[], pick: 1 | 2): string {
  if (rules.length === 0) return 'NULL::VARCHAR';
  return `CASE ${rules.map((r) => `WHEN ${r[0]} THEN ${sqlString(r[pick])}`).join(' ')} END`;
}

/** SQL parsing the text expression `textSql` as a date (ISO, or `dateFormat`); NULL if it does not parse. */
export function dateSql(textSql: string, dateFormat: string | undefined): string {
  return dateFormat
    ? `TRY_CAST(TRY_STRPTIME(${textSql}, ${sqlString(dateFormat)}) AS DATE)`
    : `TRY_CAST(${textSql} AS DATE)`;
}

/**
 * SQL ranking, by line, the rows of `table` that share the values of `partition`, among the rows
 * matching `where` and listed in `repeats(__line)`: (__line, __rank) for those rows only. A window
 * over a million rows is slow, so it runs only on the few rows whose key occurs more than once.
 */
function rankRepeats(table: string, partition: string, repeats: string, where = ''): string {
  return `
    SELECT __line, row_number() OVER (PARTITION BY ${partition} ORDER BY __line) AS __rank
    FROM ${table}
    WHERE ${where ? `${where} AND ` : ''}__line IN (SELECT __line FROM ${repeats})`;
}

/** The integer surrogate of each master source: stores → `__s`, products → `__p`, by sorted id. */
const SURROGATES: Partial<Record<SourceName, string>> = { stores: '__s', products: '__p' };

interface ReferenceChecks {
  /** [SQL condition, reason, column], in order. */
  readonly rules: [string, RejectionReason, string][];
  /** Joins to accepted master data (`ds` stores, `dp` products). */
  readonly joins: string[];
  /** Surrogate columns the checked rows carry. */
  readonly carry: string[];
}

/** Reference rules of a source; they join the accepted stores (`ds`) and products (`dp`). */
function referenceChecks(source: SourceName, frequency: Frequency): ReferenceChecks {
  const out: ReferenceChecks = { rules: [], joins: [], carry: [] };
  const cols = new Set(SOURCES[source].columns.map((c) => c.name));
  const refs = SOURCES[source].foreignKeys.map((fk) => fk.references);
  if (refs.includes('stores') || (source === 'promotions' && cols.has('store_id'))) {
    out.joins.push('LEFT JOIN ok_stores ds ON ds.store_id = c.store_id');
    out.carry.push('ds.__s');
    out.rules.push(['c.store_id IS NOT NULL AND ds.__s IS NULL', 'unknown_store', 'store_id']);
  }
  if (refs.includes('products')) {
    out.joins.push('LEFT JOIN ok_products dp ON dp.product_id = c.product_id');
    out.carry.push('dp.__p');
    out.rules.push(['dp.__p IS NULL', 'unknown_product', 'product_id']);
  }
  if (source === 'weather') {
    out.rules.push(['c.region NOT IN (SELECT region FROM ok_stores)', 'unknown_region', 'region']);
  }
  if (source === 'sales') {
    if (frequency === 'week') out.rules.push(['isodow(c.date) <> 1', 'not_week_start', 'date']);
    // A week is sold in if the store opened on any of its days.
    const opening = frequency === 'week' ? "date_trunc('week', ds.opening_date)::DATE" : 'ds.opening_date';
    out.rules.push([`c.date < ${opening}`, 'before_opening', 'date']);
  }
  return out;
}

/**
 * Validates one source. Reads `src_<source>` (text) and creates:
 * - `chk_<source>`: every row with `__line`, `__dup` (> 1 for an exact duplicate of an earlier
 *   row), the typed schema columns, the `__s`/`__p` surrogates of its store and product,
 *   `__reason`/`__column` of the first row or reference rule that fails (NULL when none does) and
 *   `__hk`, the hash of the typed key;
 * - `dupkey_<source>`: lines of later rows repeating the key of an earlier valid row;
 * - `ok_<source>`: the accepted rows (stores and products with their surrogate ranks);
 * and appends every rejection of the source to the rejections table. Stores and products must be
 * validated before the others, whose foreign keys are checked against their accepted rows.
 */
export async function validateSource(
  conn: DuckDBConnection,
  source: SourceName,
  dateFormat: string | undefined,
  frequency: Frequency,
): Promise<void> {
  const spec = SOURCES[source];
  const cols = spec.columns;
  const all = cols.map((c) => id(c.name)).join(', ');
  const key = spec.key.map(id).join(', ');
  const texts = cols.map((c) => `NULLIF(trim(s.${id(c.name)}), '') AS ${text(c.name)}`).join(', ');
  const typed = cols.map((c) => `${typedExpr(c, dateFormat)} AS ${id(c.name)}`).join(', ');
  const refs = referenceChecks(source, frequency);
  const rules: [string, string, string][] = [
    ...cols.flatMap((c) =>
      columnRules(c).map(([cond, reason]) => [cond, reason, c.name] as [string, string, string]),
    ),
    ...(CROSS_RULES[source] ?? []),
    ...refs.rules,
  ];
  const keyHash = `hash(${spec.key.map((k) => `c.${id(k)}`).join(', ')})`;
  // One pass over the text: typed columns and the first failing rule of every row. Exact
  // duplicates are marked afterwards, so `__dup` starts at 1 and `__hk` hashes the typed key.
  await conn.run(`
    CREATE OR REPLACE TABLE chk_${source} AS
    SELECT c.__line, 1::BIGINT AS __dup, ${cols.map((col) => `c.${id(col.name)}`).join(', ')}${refs.carry.map((x) => `, ${x}`).join('')},
      ${caseOf(rules, 1)} AS __reason, ${caseOf(rules, 2)} AS __column, ${keyHash} AS __hk
    FROM (
      SELECT __line, ${cols.map((col) => text(col.name)).join(', ')}, ${typed}
      FROM (SELECT s.__line, ${texts} FROM src_${source} s)
    ) c ${refs.joins.join(' ')}`);
  // Identical rows have identical typed keys, so the rows whose key hash repeats hold every exact
  // duplicate and every duplicate key: one aggregation over the source finds the candidates of both.
  const repeats = `rep_${source}`;
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE ${repeats} AS
    SELECT __line FROM chk_${source}
    WHERE __hk IN (SELECT __hk FROM chk_${source} GROUP BY __hk HAVING count(*) > 1)`);
  // An exact duplicate is dropped, not rejected: it gets no reason.
  await conn.run(`
    UPDATE chk_${source} SET __dup = d.__rank, __reason = NULL, __column = NULL
    FROM (${rankRepeats(`src_${source}`, all, repeats)}) d
    WHERE chk_${source}.__line = d.__line AND d.__rank > 1`);
  await conn.run(`
    CREATE OR REPLACE TABLE dupkey_${source} AS
    SELECT __line FROM (${rankRepeats(`chk_${source}`, key, repeats, '__dup = 1 AND __reason IS NULL')}) WHERE __rank > 1`);
  await conn.run(`DROP TABLE ${repeats}`);
  const carried = refs.carry.map((c) => `, ${c.split('.')[1]}`).join('');
  const surrogate = SURROGATES[source];
  const ranked = surrogate ? `, (row_number() OVER (ORDER BY ${key}))::INTEGER AS ${surrogate}` : '';
  // A view rather than a copy of a million rows; master data gets its surrogate ranks, which
  // must be computed once, so stores and products are materialized.
  await conn.run(`
    CREATE OR REPLACE ${surrogate ? 'TABLE' : 'VIEW'} ok_${source} AS
    SELECT __line, ${all}${carried}${ranked}
    FROM chk_${source}
    WHERE __dup = 1 AND __reason IS NULL AND __line NOT IN (SELECT __line FROM dupkey_${source})`);
  await conn.run(`
    INSERT INTO ${REJECTIONS_TABLE}
    SELECT ${sqlString(source)}, __line, __reason, __column FROM chk_${source} WHERE __dup = 1 AND __reason IS NOT NULL
    UNION ALL
    SELECT ${sqlString(source)}, __line, 'duplicate_key', ${sqlString(spec.key.join(','))} FROM dupkey_${source}`);
}

/** Creates the empty rejections table. */
export async function createRejectionsTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TABLE ${REJECTIONS_TABLE} (source VARCHAR, line BIGINT, reason VARCHAR, "column" VARCHAR)`,
  );
}
