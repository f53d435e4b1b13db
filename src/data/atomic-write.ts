/**
 * Writes that are never seen half-done: content goes to a temporary sibling path that is renamed
 * over the target at the end. A failed run leaves any earlier good output untouched.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SalescastError } from '../core/errors.js';

/** A temporary path next to `target` (same filesystem, so the final rename is atomic). */
export function temporarySibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `content` to `target` atomically, creating parent folders. */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = temporarySibling(target);
  try {
    await writeFile(tmp, content);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new SalescastError('USAGE', `${target} is a directory; give the path of a file to write.`, {
        file: basename(target),
      });
    }
    throw e;
  }
}

/**
 * Builds a whole folder atomically: `build` fills a temporary folder, which then replaces `target`.
 * If `build` throws, the temporary folder is removed and `target` is left as it was.
 */
export async function writeDirAtomic<T>(target: string, build: (tmpDir: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = temporarySibling(target);
  await mkdir(tmp, { recursive: true });
  try {
    const result = await build(tmp);
    const old = temporarySibling(target);
    // Move the old folder aside first: rename cannot replace a non-empty directory.
    let movedOld = false;
    try {
      await rename(target, old);
      movedOld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      if (movedOld) await rename(old, target);
      throw e;
    }
    if (movedOld) await rm(old, { recursive: true, force: true });
    return result;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
