import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './atomic-write.js';

describe('atomic writes', () => {
  it('writes a file and leaves no temporary sibling', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-atomic-'));
    await writeFileAtomic(join(dir, 'a', 'x.txt'), 'hello');
    expect(await readFile(join(dir, 'a', 'x.txt'), 'utf8')).toBe('hello');
    expect(await readdir(join(dir, 'a'))).toEqual(['x.txt']);
  });

  it('replaces a folder whole, and keeps the old one when the build fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-atomic-'));
    const target = join(dir, 'out');
    await writeDirAtomic(target, async (tmp) => writeFile(join(tmp, 'v.txt'), '1'));
    await expect(
      writeDirAtomic(target, async (tmp) => {
        await writeFile(join(tmp, 'v.txt'), '2');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readFile(join(target, 'v.txt'), 'utf8')).toBe('1');
    expect(await readdir(dir)).toEqual(['out']);
    await writeDirAtomic(target, async (tmp) => writeFile(join(tmp, 'w.txt'), '3'));
    expect(await readdir(target)).toEqual(['w.txt']);
    expect(await readdir(dir)).toEqual(['out']);
  });
});
