import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.js';
import { parseNumericCsv, readNumericCsv } from './numeric-csv.js';

const parse = (text: string) => parseNumericCsv(new TextEncoder().encode(text), 'f.csv');
const root = await mkdtemp(join(tmpdir(), 'salescast-numeric-csv-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('parseNumericCsv', () => {
  it('reads columns column-major with empty cells as NaN', () => {
    const t = parse('a,b,c\n1,2.5,\n-3,,1e3\n');
    expect(t.names).toEqual(['a', 'b', 'c']);
    expect(t.nRows).toBe(2);
    expect(Array.from(t.data)).toEqual([1, -3, 2.5, Number.NaN, Number.NaN, 1000]);
  });

  it('parses every number exactly as Number() does', () => {
    const rng = createRng(3);
    const texts: string[] = [
      '0.1',
      '-0',
      '123456789012345',
      '1234567890123456789',
      '0.000001',
      '7.',
      '.5',
      '+2',
      '1E-7',
      '3.14159265358979',
    ];
    for (let k = 0; k < 500; k++) texts.push((rng.normal() * 10 ** rng.int(8)).toFixed(rng.int(9)));
    const t = parse(`x\n${texts.join('\n')}\n`);
    texts.forEach((s, i) => {
      expect(Object.is(t.data[i], Number(s))).toBe(true);
    });
  });

  it('accepts CRLF, a BOM, quoted header names, spaces and blank lines; no trailing newline', () => {
    const t = parse('\uFEFF"x, first",y\r\n 1 ,2\r\n\r\n3,4');
    expect(t.names).toEqual(['x, first', 'y']);
    expect(Array.from(t.data)).toEqual([1, 3, 2, 4]);
  });

  it('names the file, line and column of a non-numeric cell', () => {
    expect(() => parse('a,b\n1,2\n3,abc\n')).toThrow(
      "f.csv:3: column 'b' holds 'abc', which is not a number.",
    );
    expect(() => parse('a,b\n1,2\n3,abc\n')).toThrow(
      expect.objectContaining({ code: 'INVALID_DATA', location: { file: 'f.csv', line: 3, field: 'b' } }),
    );
    expect(() => parse('a,b\n1,0x10\n')).toThrow(/'0x10', which is not a number/);
  });

  it('rejects rows with the wrong number of fields, duplicate names and empty files', () => {
    expect(() => parse('a,b\n1\n')).toThrow('f.csv:2: 1 fields, but the header has 2.');
    expect(() => parse('a,b\n1,2,3\n')).toThrow('f.csv:2: more than the 2 fields of the header.');
    expect(() => parse('a,a\n1,2\n')).toThrow(/two columns named 'a'/);
    expect(() => parse('a,b\n')).toThrow(expect.objectContaining({ code: 'SOURCE_EMPTY' }));
    expect(() => parse('')).toThrow(expect.objectContaining({ code: 'SOURCE_EMPTY' }));
  });
});

describe('readNumericCsv', () => {
  it('reads a file and reports a missing one as SOURCE_NOT_FOUND', async () => {
    const path = join(root, 'ok.csv');
    await writeFile(path, 'a\n1\n2\n');
    expect(Array.from((await readNumericCsv(path)).data)).toEqual([1, 2]);
    await expect(readNumericCsv(join(root, 'nope.csv'))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
