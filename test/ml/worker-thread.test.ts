/**
 * Threads started by `startWorkerThread` compile on themselves: a thread stopped while a compile
 * for it runs in the background can abort the process on Node 20. V8's trace of its optimizing
 * compiles shows which mode each function got; the process runs the compiled module, as served.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const COMPILED = new URL('../../dist/ml/parallel/worker-thread.js', import.meta.url);

const PROGRAM = `
import { startWorkerThread } from ${JSON.stringify(COMPILED.href)};
const thread = startWorkerThread(\`
  const { parentPort } = require('node:worker_threads');
  function threadHot(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }
  let total = 0;
  const a = new Float64Array(1000).fill(1);
  for (let r = 0; r < 20000; r++) total += threadHot(a);
  parentPort.postMessage(total);
\`, { eval: true });
const fromThread = await new Promise((resolve) => thread.once('message', resolve));
function mainHot(a) { let s = 0; for (let i = 0; i < a.length; i++) s += 2 * a[i]; return s; }
let total = 0;
const a = new Float64Array(1000).fill(1);
for (let r = 0; r < 20000; r++) total += mainHot(a);
await thread.terminate();
console.log('totals', fromThread, total);
`;

describe('startWorkerThread', () => {
  it('compiles a thread’s hot code on the thread, and leaves the main thread compiling in the background', async () => {
    // A file, not `-e`: an evaluated module would make the thread's script a module too.
    const program = join(await mkdtemp(join(tmpdir(), 'salescast-threads-')), 'program.mjs');
    await writeFile(program, PROGRAM);
    const { stdout } = await promisify(execFile)(process.execPath, ['--trace-opt', program], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const modes = (name: string) =>
      [
        ...stdout.matchAll(
          new RegExp(`compiling method .*<JSFunction ${name} .*mode: ConcurrencyMode::(\\w+)`, 'g'),
        ),
      ].map((m) => m[1]);
    expect(stdout).toContain('totals 20000000 40000000');
    expect(modes('threadHot').length).toBeGreaterThan(0);
    expect(new Set(modes('threadHot'))).toEqual(new Set(['kSynchronous']));
    expect(modes('mainHot').length).toBeGreaterThan(0);
    expect(new Set(modes('mainHot'))).toEqual(new Set(['kConcurrent']));
  });
});
