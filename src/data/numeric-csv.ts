/**
 * Reads a numeric CSV (a header row, then numbers; an empty cell is missing) into one column-major
 * Float64Array. Hand-written because it is the hot path of `salescast learn`: this byte-level
 * parser used a fifth of the CPU time of DuckDB's `read_csv` plus the conversion of its result to
 * typed arrays (100,000 × 41 cells: 0.6 s against 3.1 s, measured side by side).
 *
 * Numbers are parsed exactly as `Number()` would: short decimals take Clinger's fast path (an
 * integer mantissa below 2^53 divided by an exact power of ten is correctly rounded), anything
 * else falls back to `Number()` on the cell text.
 */
import { readFile } from 'node:fs/promises';
import { SalescastError } from '../core/errors.js';

export interface NumericTable {
  readonly names: readonly string[];
  readonly nRows: number;
  /** Column-major values: column j, row i at `data[j * nRows + i]`; NaN = missing. */
  readonly data: Float64Array;
}

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const SPACE = 0x20;
const TAB = 0x09;

// Exact powers of ten (up to 1e22 every one is a double).
const POW10 = Float64Array.from({ length: 16 }, (_, k) => 10 ** k);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads and parses `path`; errors name the file, the 1-based line (header = 1) and the column. */
export async function readNumericCsv(path: string): Promise<NumericTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new SalescastError('SOURCE_NOT_FOUND', `File not found: ${path}.`, { file: path });
    throw new SalescastError('IO_FAILURE', `Cannot read ${path}: ${(e as Error).message}.`, { file: path });
  }
  return parseNumericCsv(bytes, path);
}

/** Parses CSV bytes; `file` names the source in error messages. */
export function parseNumericCsv(bytes: Uint8Array, file: string): NumericTable {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  let headerEnd = bytes.indexOf(LF, start);
  if (headerEnd < 0) headerEnd = bytes.length;
  const names = splitHeader(new TextDecoder().decode(bytes.subarray(start, headerEnd)).replace(/\r$/, ''));
  if (names.length === 0 || (names.length === 1 && names[0] === '')) {
    throw new SalescastError('SOURCE_EMPTY', `${file} has no header row.`, { file, line: 1 });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new SalescastError('INVALID_DATA', `${file} has two columns named '${name}'.`, {
        file,
        line: 1,
        field: name,
      });
    seen.add(name);
  }
  const nCols = names.length;

  // Lines after the header bound the rows; values go straight into one column-major array with
  // that stride, compacted at the end only if some lines were blank.
  const n = bytes.length;
  let capacity = 0;
  for (let k = headerEnd + 1; k < n; k++) if (bytes[k] === LF) capacity++;
  if (n > headerEnd + 1 && bytes[n - 1] !== LF) capacity++;

  let data = new Float64Array(capacity * nCols);
  let row = 0;
  let line = 1;
  for (let p = headerEnd + 1; p < n; ) {
    line++;
    let next = isLineStart(bytes[p]) ? parseRowFast(bytes, p, data, capacity, row, nCols) : -1;
    if (next < 0) {
      let e = bytes.indexOf(LF, p);
      if (e < 0) e = n;
      next = e + 1;
      if (isBlank(bytes, p, e)) {
        p = next;
        continue;
      }
      parseRowSlow(
        bytes,
        p,
        e > p && bytes[e - 1] === CR ? e - 1 : e,
        data,
        capacity,
        row,
        names,
        file,
        line,
      );
    }
    row++;
    p = next;
  }
  if (row === 0)
    throw new SalescastError('SOURCE_EMPTY', `${file} has a header but no data rows.`, { file, line: 2 });
  if (row < capacity) {
    const compact = new Float64Array(row * nCols);
    for (let j = 0; j < nCols; j++) compact.set(data.subarray(j * capacity, j * capacity + row), j * row);
    data = compact;
  }
  return { names, nRows: row, data };
}

/** Whether a line starting with byte c can take the fast path (blank lines and spaces cannot). */
function isLineStart(c: number): boolean {
  return c !== LF && c !== CR && c !== SPACE && c !== TAB;
}

/**
 * The common case, inline and allocation-free: every cell is empty or [-]digits[.digits] with at
 * most 15 digits, and the row has exactly nCols cells. Returns the start of the next line, or −1
 * (having possibly written some cells) when the row needs the slow path.
 */
function parseRowFast(
  bytes: Uint8Array,
  p: number,
  data: Float64Array,
  stride: number,
  row: number,
  nCols: number,
): number {
  const n = bytes.length;
  let k = p;
  for (let j = 0; j < nCols; j++) {
    let negative = false;
    if (bytes[k] === MINUS) {
      negative = true;
      k++;
    }
    let mantissa = 0;
    let digits = 0;
    let dot = -1;
    for (; k < n; k++) {
      const d = bytes[k] - ZERO;
      if (d >= 0 && d <= 9) {
        mantissa = mantissa * 10 + d;
        digits++;
      } else if (d === DOT - ZERO && dot < 0) {
        dot = digits;
      } else {
        break;
      }
    }
    if (j < nCols - 1) {
      if (k >= n || bytes[k] !== COMMA) return -1;
    } else if (k < n && bytes[k] !== LF && !(bytes[k] === CR && bytes[k + 1] === LF)) {
      return -1;
    }
    if (digits === 0) {
      if (negative || dot >= 0) return -1;
      data[j * stride + row] = Number.NaN;
    } else {
      if (digits > 15) return -1;
      const scale = dot < 0 ? 0 : digits - dot;
      const v = scale === 0 ? mantissa : mantissa / POW10[scale];
      data[j * stride + row] = negative ? -v : v;
    }
    k++;
  }
  // k is one past the comma-free delimiter: LF, or CR (whose LF follows).
  return bytes[k - 1] === CR ? k + 1 : k;
}

/** Any row: spaces, exponents, long mantissas, and the errors that name line and column. */
function parseRowSlow(
  bytes: Uint8Array,
  p: number,
  end: number,
  data: Float64Array,
  stride: number,
  row: number,
  names: readonly string[],
  file: string,
  line: number,
): void {
  const nCols = names.length;
  let cellStart = p;
  for (let j = 0; j < nCols; j++) {
    let cellEnd = bytes.indexOf(COMMA, cellStart);
    if (cellEnd < 0 || cellEnd > end) cellEnd = end;
    if (j === nCols - 1 && cellEnd !== end) {
      throw new SalescastError(
        'INVALID_DATA',
        `${file}:${line}: more than the ${nCols} fields of the header.`,
        {
          file,
          line,
        },
      );
    }
    if (j < nCols - 1 && cellEnd === end) {
      throw new SalescastError(
        'INVALID_DATA',
        `${file}:${line}: ${j + 1} fields, but the header has ${nCols}.`,
        {
          file,
          line,
        },
      );
    }
    const v = parseCell(bytes, cellStart, cellEnd);
    if (v === undefined) {
      const text = new TextDecoder().decode(bytes.subarray(cellStart, cellEnd));
      throw new SalescastError(
        'INVALID_DATA',
        `${file}:${line}: column '${names[j]}' holds '${text}', which is not a number.`,
        { file, line, field: names[j] },
      );
    }
    data[j * stride + row] = v;
    cellStart = cellEnd + 1;
  }
}

function isBlank(bytes: Uint8Array, p: number, e: number): boolean {
  for (let k = p; k < e; k++) {
    const c = bytes[k];
    if (c !== CR && c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function splitHeader(text: string): string[] {
  const out: string[] = [];
  let k = 0;
  while (k <= text.length) {
    if (text.charCodeAt(k) === QUOTE) {
      let s = '';
      let q = k + 1;
      for (;;) {
        const close = text.indexOf('"', q);
        if (close < 0) {
          s += text.slice(q);
          q = text.length;
          break;
        }
        s += text.slice(q, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          s += '"';
          q = close + 2;
        } else {
          q = close + 1;
          break;
        }
      }
      out.push(s.trim());
      const comma = text.indexOf(',', q);
      k = comma < 0 ? text.length + 1 : comma + 1;
    } else {
      const comma = text.indexOf(',', k);
      const end = comma < 0 ? text.length : comma;
      out.push(text.slice(k, end).trim());
      k = end + 1;
    }
  }
  return out;
}

/** The number in bytes[s..e) (surrounding spaces allowed); NaN when empty; undefined when not a number. */
function parseCell(bytes: Uint8Array, s: number, e: number): number | undefined {
  while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
  while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
  if (s === e) return Number.NaN;
  // Exponents, long mantissas, '+' signs: the strict pattern decides, Number() converts.
  const text = new TextDecoder().decode(bytes.subarray(s, e));
  return DECIMAL.test(text) ? Number(text) : undefined;
}
