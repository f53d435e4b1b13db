/**
 * Where each record of a text file starts, as a 1-based line number. DuckDB's readers do not
 * report line numbers, so we find them ourselves: the report must name the line of every
 * rejected row. Hand-written because no library maps CSV records to physical lines.
 *
 * The scan follows DuckDB's CSV rules for the common dialect: `"` quotes (so a quoted field may
 * span lines), LF, CRLF or CR line ends, and empty lines skipped.
 */

export interface LineIndex {
  /** Number of non-empty records, including the CSV header. */
  readonly records: number;
  /**
   * Start line of record i (0-based; record 0 of a CSV is the header), or undefined when every
   * record is exactly one line and no line is empty, so that record i starts on line i + 1.
   */
  readonly startLines?: Int32Array;
  /**
   * Start of record i as DuckDB counts lines in its reject reports: newlines inside quotes are
   * not counted. Undefined whenever `startLines` is.
   */
  readonly logicalLines?: Int32Array;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Indexes `buf`. With `quotes` (CSV) a newline inside a double-quoted field does not end the
 * record; NDJSON passes `false` because JSON strings cannot hold raw newlines.
 */
export function indexLines(buf: Uint8Array, quotes: boolean): LineIndex {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const simple = b.indexOf(CR) === -1 && (!quotes || b.indexOf(QUOTE) === -1) && b.indexOf('\n\n') === -1;
  if (simple && b[0] !== LF) {
    // The fast path: count line ends natively; every line is one record.
    let records = 0;
    for (let at = b.indexOf(LF); at !== -1; at = b.indexOf(LF, at + 1)) records++;
    if (b.length > 0 && b[b.length - 1] !== LF) records++;
    return { records };
  }
  const starts: number[] = [];
  const logical: number[] = [];
  let line = 1;
  let logicalLine = 1;
  let recordLogical = 1;
  let recordStart = 1;
  let hasContent = false;
  let inQuote = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === LF || c === CR) {
      if (c === CR && b[i + 1] === LF) i++;
      if (inQuote) {
        line++;
        continue;
      }
      if (hasContent) {
        starts.push(recordStart);
        logical.push(recordLogical);
      }
      line++;
      logicalLine++;
      recordStart = line;
      recordLogical = logicalLine;
      hasContent = false;
    } else {
      if (quotes && c === QUOTE) inQuote = !inQuote;
      hasContent = true;
    }
  }
  if (hasContent) {
    starts.push(recordStart);
    logical.push(recordLogical);
  }
  return {
    records: starts.length,
    startLines: Int32Array.from(starts),
    logicalLines: Int32Array.from(logical),
  };
}

/** Start line of record `i` (0-based). */
export function recordLine(index: LineIndex, i: number): number {
  return index.startLines ? index.startLines[i] : i + 1;
}
