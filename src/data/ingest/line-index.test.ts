import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexLines, recordLine } from './line-index.js';

const idx = (s: string, quotes = true) => indexLines(Buffer.from(s), quotes);
const starts = (s: string, quotes = true) => {
  const index = idx(s, quotes);
  return Array.from({ length: index.records }, (_, i) => recordLine(index, i));
};

describe('indexLines', () => {
  it('counts one record per line on the fast path, with or without a final newline', () => {
    expect(idx('a,b\n1,2\n3,4\n')).toEqual({ records: 3 });
    expect(idx('a,b\n1,2\n3,4')).toEqual({ records: 3 });
    expect(starts('a\n1\n2\n')).toEqual([1, 2, 3]);
  });

  it('skips empty lines and keeps physical line numbers', () => {
    expect(starts('a,b\n1,2\n\n3,4\n\n\n5,6\n')).toEqual([1, 2, 4, 7]);
    expect(starts('\na,b\n1,2\n')).toEqual([2, 3]);
  });

  it('lets a quoted field span lines, and handles CRLF and CR line ends', () => {
    expect(starts('a,b\n"x\ny",1\n2,3\n')).toEqual([1, 2, 4]);
    expect(starts('a,b\r\n1,2\r\n\r\n3,4\r\n')).toEqual([1, 2, 4]);
    expect(starts('a,b\r1,2\r3,4')).toEqual([1, 2, 3]);
    expect(starts('a,"he said ""hi""\n"\n1,2\n')).toEqual([1, 3]);
  });

  it('ignores quotes for NDJSON', () => {
    expect(starts('{"a":"x"}\n\n{"a":"y"}\n', false)).toEqual([1, 3]);
  });

  it('agrees with a naive split for quote-free text without empty lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9,]{1,8}$/), { minLength: 1, maxLength: 30 }),
        (lines) => {
          const text = `${lines.join('\n')}\n`;
          expect(starts(text)).toEqual(lines.map((_, i) => i + 1));
        },
      ),
    );
  });
});
