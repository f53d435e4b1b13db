/**
 * Loads the WebAssembly of the augurs models this layer uses (AutoETS and MSTL), once, when this
 * module is first imported. The packages' default initialisers fetch the .wasm by URL, which Node
 * cannot do for file URLs, so the bytes are read from the installed package and instantiated
 * synchronously. This is the only I/O of the forecast layer: it loads library code, not data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';

const packageDir = dirname(createRequire(import.meta.url).resolve('@bsull/augurs/ets'));
initEts({ module: readFileSync(join(packageDir, 'ets_bg.wasm')) });
initMstl({ module: readFileSync(join(packageDir, 'mstl_bg.wasm')) });

export { AutoETS, MSTL };
