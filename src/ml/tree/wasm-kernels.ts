/**
 * The learning engine's WebAssembly kernels: building, subtracting and scanning histograms, and
 * partitioning a node's rows (used by `WasmHistogramBuilder`, histogram-wasm.ts). Each does what
 * its JavaScript counterpart does, with the same floating-point operations in the same order, so
 * results are bit-identical (the tests compare them); without the typed-array bounds checks they
 * run faster (docs/BENCHMARKS.md).
 *
 * The module is small enough to encode here, instruction by instruction, which keeps the build free
 * of a WebAssembly toolchain and the repository free of binaries. In text form, `accum4` is:
 *   (func $accum4 (param $rows $gh $count $c0 $c1 $c2 $c3 $o0 $o1 $o2 $o3 i32)
 *     (local $i $r i32) (local $gh_i v128) (local $o i32)
 *     (block $done (loop $next
 *       (br_if $done (i32.ge_u $i $count))
 *       (local.set $r (i32.load (i32.add $rows (i32.shl $i 2))))          ;; node row i
 *       (local.set $gh_i (v128.load (i32.add $gh (i32.shl $i 4))))         ;; its (gradient, hessian)
 *       ;; for each of the four features k: the bin of row r in column c_k selects a cell of
 *       ;; histogram o_k (32 bytes: gradient, hessian, count, unused)
 *       (local.set $o (i32.add $o_k (i32.shl (i32.load8_u (i32.add $c_k $r)) 5)))
 *       (v128.store $o (f64x2.add (v128.load $o) $gh_i))
 *       (local.set $i (i32.add $i 1)) (br $next))))
 *
 * `accum4c` also adds 1 to each cell's count (offset 16); `accum1`, `accum2` and `accum3` do the
 * remaining one to three features and add their last parameter (1 or 0) to the count.
 */
import { HISTOGRAM_CELL } from './histogram.js';

// The ES library types leave WebAssembly to the DOM's; these are the parts the engine uses.
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer;
    }
    class Instance {
      constructor(module: Module, imports: Record<string, Record<string, Memory>>);
      readonly exports: Record<string, unknown>;
    }
  }
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  emptyBlock: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Load8U: 0x2d,
  f64Store: 0x39,
  if: 0x04,
  else: 0x05,
  localTee: 0x22,
  i32Eqz: 0x45,
  i32GeS: 0x4e,
  f64Eq: 0x61,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Mul: 0xa2,
  i32And: 0x71,
  f64Div: 0xa3,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  i32Sub: 0x6b,
  i32ShrU: 0x76,
  i32Store: 0x36,
  bulk: 0xfc,
  simd: 0xfd,
} as const;
/** SIMD instructions, after the 0xfd prefix (LEB128). */
const simd = { v128Load: [0x00], v128Store: [0x0b], f64x2Add: [0xf0, 0x01], f64x2Sub: [0xf1, 0x01] } as const;

function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];
const name = (text: string): number[] => vector([...new TextEncoder().encode(text)].map((b) => [b]));
const get = (local: number): number[] => [op.localGet, ...unsignedLeb(local)];
const set = (local: number): number[] => [op.localSet, ...unsignedLeb(local)];
const i32 = (n: number): number[] => [op.i32Const, ...signedLeb(n)];
// Memory arguments: alignment as a power of two, then the constant offset.
const loadI32 = [op.i32Load, 2, 0];
const loadBin = [op.i32Load8U, 0, 0];
const loadF64 = (offset: number): number[] => [op.f64Load, 3, offset];
const storeF64 = (offset: number): number[] => [op.f64Store, 3, offset];
const f64 = (x: number): number[] => [op.f64Const, ...new Uint8Array(Float64Array.of(x).buffer)];
// Histogram cells and gradient pairs sit on 16 bytes (alignment hint 2^4).
const loadV128 = [op.simd, ...simd.v128Load, 4, 0];
const storeV128 = [op.simd, ...simd.v128Store, 4, 0];
/** Bytes of a histogram bin (`HISTOGRAM_CELL` doubles): 32, so a bin's byte offset is bin << 5. */
export const CELL_BYTES = 8 * HISTOGRAM_CELL;
const CELL_SHIFT = Math.log2(CELL_BYTES);

/** How a kernel updates the count of a cell: not at all, by 1, or by its `countStep` parameter. */
type CountUpdate = 'none' | 'one' | 'parameter';

/**
 * The body of a kernel over `nFeatures` features. Parameters: rows, gh, count, then the features'
 * bin columns and histograms (byte addresses), then `countStep` (f64) when the count is a parameter.
 */
function kernelBody(nFeatures: number, counts: CountUpdate): number[] {
  const nParams = 3 + 2 * nFeatures + (counts === 'parameter' ? 1 : 0);
  const [rows, gh, count] = [0, 1, 2];
  const column = (k: number) => 3 + k;
  const histogram = (k: number) => 3 + nFeatures + k;
  const countStep = nParams - 1;
  const [i, r, o, pair] = [nParams, nParams + 1, nParams + 2, nParams + 3];
  const locals = vector([
    [3, I32],
    [1, V128],
  ]);
  // Each lane of f64x2.add is the IEEE addition of the scalar code, so the sums are the same.
  const addPair = [...get(o), ...get(o), ...loadV128, ...get(pair), op.simd, ...simd.f64x2Add, ...storeV128];
  const addToCount = (value: number[]): number[] => [
    ...get(o),
    ...get(o),
    ...loadF64(16),
    ...value,
    op.f64Add,
    ...storeF64(16),
  ];
  const code: number[] = [op.block, op.emptyBlock, op.loop, op.emptyBlock];
  code.push(...get(i), ...get(count), op.i32GeU, op.brIf, 1);
  code.push(...get(rows), ...get(i), ...i32(2), op.i32Shl, op.i32Add, ...loadI32, ...set(r));
  code.push(...get(gh), ...get(i), ...i32(4), op.i32Shl, op.i32Add, ...loadV128, ...set(pair));
  for (let k = 0; k < nFeatures; k++) {
    code.push(...get(histogram(k)), ...get(column(k)), ...get(r), op.i32Add, ...loadBin);
    code.push(...i32(CELL_SHIFT), op.i32Shl, op.i32Add, ...set(o), ...addPair);
    if (counts === 'one') code.push(...addToCount(f64(1)));
    if (counts === 'parameter') code.push(...addToCount(get(countStep)));
  }
  code.push(...get(i), ...i32(1), op.i32Add, ...set(i), op.br, 0, op.end, op.end, op.end);
  const body = [...locals, ...code];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * `subtract(parent, child, bytes)`: `parent -= child` over `bytes` bytes of whole histogram cells,
 * two doubles at a time (f64x2.sub, the same IEEE subtraction per lane).
 */
function subtractBody(): number[] {
  const [parent, child, bytes, i] = [0, 1, 2, 3];
  const at = (base: number): number[] => [...get(base), ...get(i), op.i32Add];
  const code: number[] = [op.block, op.emptyBlock, op.loop, op.emptyBlock];
  code.push(...get(i), ...get(bytes), op.i32GeU, op.brIf, 1);
  code.push(...at(parent), ...at(parent), ...loadV128, ...at(child), ...loadV128);
  code.push(op.simd, ...simd.f64x2Sub, ...storeV128);
  code.push(...get(i), ...i32(16), op.i32Add, ...set(i), op.br, 0, op.end, op.end, op.end);
  const body = [...vector([[1, I32]]), ...code];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * `copyCounts(at, bytes)`: each cell's count becomes its hessian sum, over `bytes` bytes of cells
 * (after a kernel that left counts alone because every hessian is 1).
 */
function copyCountsBody(): number[] {
  const [at, bytes, o, end] = [0, 1, 2, 3];
  const code: number[] = [...get(at), ...get(bytes), op.i32Add, ...set(end), ...get(at), ...set(o)];
  code.push(op.block, op.emptyBlock, op.loop, op.emptyBlock);
  code.push(...get(o), ...get(end), op.i32GeU, op.brIf, 1);
  code.push(...get(o), ...get(o), ...loadF64(8), ...storeF64(16));
  code.push(...get(o), ...i32(CELL_BYTES), op.i32Add, ...set(o), op.br, 0, op.end, op.end, op.end);
  const body = [...vector([[2, I32]]), ...code];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * `scan(hist, end, missing, sumGrad, sumHess, count, parentGain, minData, minHess, l2, minGain,
 * bestGain, out) -> found`: `scanNumeric` (splitter.ts) on the plain path, over one feature's value
 * bins (cells at byte addresses hist .. hist + end) and its missing bin. It returns the byte offset
 * of the best threshold's cell, or −1 when none beats `bestGain`, and writes gain, LG, LH, LC and
 * the missing rows' side (0 right, 1 left) to `out`.
 *
 * `scanNumeric` scans the bins once with the missing rows on the right and, when the node has some,
 * again with them on the left. This kernel reads each bin once for both sides, keeping a best per
 * side from `bestGain` on, and takes the left side's only when it beats the right side's: the
 * split the two passes would find, tie for tie (each side's best is the first candidate with its
 * greatest gain, and the second pass only takes a gain above the first pass's best).
 */
function scanBody(): number[] {
  const [
    hist,
    end,
    missing,
    sumGrad,
    sumHess,
    count,
    parentGain,
    minData,
    minHess,
    l2,
    minGain,
    bestGain,
    out,
  ] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  let next = 13;
  const local = (): number => next++;
  const [o, foundRight, foundLeft, stopRight, stopLeft, found] = Array.from({ length: 6 }, local);
  const nI32 = next - 13;
  const [c, g, h, RH, hl, hr, RG, gain] = Array.from({ length: 8 }, local);
  // Per side: the running left sums, the best gain so far and the left sums it had.
  const sides = [0, 1].map(() => {
    const [LG, LH, LC, best, bLG, bLH, bLC] = Array.from({ length: 7 }, local);
    return { LG, LH, LC, best, bLG, bLH, bLC };
  });
  const nF64 = next - 13 - nI32;
  const [right, left] = sides;
  const cell = (offset: number): number[] => [...get(hist), ...get(o), op.i32Add, ...loadF64(offset)];
  const addTo = (target: number, value: number): number[] => [
    ...get(target),
    ...get(value),
    op.f64Add,
    ...set(target),
  ];
  /** One side's candidate at the current bin; `br_if 0` leaves it. */
  const candidate = (s: (typeof sides)[number], stop: number, foundAt: number): number[] => [
    op.block,
    op.emptyBlock,
    ...get(stop),
    op.brIf,
    0,
    ...get(s.LC),
    ...get(minData),
    op.f64Lt,
    op.brIf,
    0,
    // The right side only shrinks from here on: no later threshold of this side can qualify.
    ...[...get(count), ...get(s.LC), op.f64Sub, ...get(minData), op.f64Lt, op.if, op.emptyBlock],
    ...[...i32(1), ...set(stop), op.br, 1, op.end],
    ...[...get(sumHess), ...get(s.LH), op.f64Sub, ...set(RH)],
    ...[...get(s.LH), ...get(minHess), op.f64Lt, op.brIf, 0],
    ...[...get(RH), ...get(minHess), op.f64Lt, op.brIf, 0],
    ...[...get(s.LH), ...get(l2), op.f64Add, op.localTee, hl, ...f64(0), op.f64Gt, op.i32Eqz, op.brIf, 0],
    ...[...get(RH), ...get(l2), op.f64Add, op.localTee, hr, ...f64(0), op.f64Gt, op.i32Eqz, op.brIf, 0],
    ...[...get(sumGrad), ...get(s.LG), op.f64Sub, ...set(RG)],
    ...[...get(s.LG), ...get(s.LG), op.f64Mul, ...get(hl), op.f64Div],
    ...[...get(RG), ...get(RG), op.f64Mul, ...get(hr), op.f64Div, op.f64Add],
    ...[...get(parentGain), op.f64Sub, op.localTee, gain],
    ...[...get(s.best), op.f64Gt, op.i32Eqz, op.brIf, 0],
    ...[...get(gain), ...get(minGain), op.f64Gt, op.i32Eqz, op.brIf, 0],
    ...[...get(gain), ...set(s.best), ...get(o), ...set(foundAt)],
    ...[...get(s.LG), ...set(s.bLG), ...get(s.LH), ...set(s.bLH), ...get(s.LC), ...set(s.bLC)],
    op.end,
  ];
  const code: number[] = [];
  code.push(...i32(-1), ...set(foundRight), ...i32(-1), ...set(foundLeft));
  code.push(...get(bestGain), ...set(right.best), ...get(bestGain), ...set(left.best));
  // The left-missing side starts with the missing rows, and only exists when there are some.
  code.push(...get(missing), ...loadF64(0), ...set(left.LG), ...get(missing), ...loadF64(8), ...set(left.LH));
  code.push(
    ...get(missing),
    ...loadF64(16),
    op.localTee,
    left.LC,
    ...f64(0),
    op.f64Gt,
    op.i32Eqz,
    ...set(stopLeft),
  );
  code.push(op.block, op.emptyBlock, op.loop, op.emptyBlock);
  code.push(...get(o), ...get(end), op.i32GeS, op.brIf, 1);
  code.push(...cell(0), ...set(g), ...cell(8), ...set(h), ...cell(16), ...set(c));
  for (const s of sides) code.push(...addTo(s.LG, g), ...addTo(s.LH, h), ...addTo(s.LC, c));
  code.push(op.block, op.emptyBlock, ...get(c), ...f64(0), op.f64Eq, op.brIf, 0);
  code.push(...candidate(right, stopRight, foundRight), ...candidate(left, stopLeft, foundLeft));
  code.push(op.end);
  // Both sides stopped: no later bin can give a split.
  code.push(...get(stopRight), ...get(stopLeft), op.i32And, op.brIf, 1);
  code.push(...get(o), ...i32(CELL_BYTES), op.i32Add, ...set(o), op.br, 0, op.end, op.end);
  // The winner: the left side's best when it beats the right side's, else the right side's.
  const write = (s: (typeof sides)[number], foundAt: number, sideValue: number): number[] => {
    const stores = [s.best, s.bLG, s.bLH, s.bLC].flatMap((v, k) => [
      ...get(out),
      ...get(v),
      ...storeF64(8 * k),
    ]);
    return [...stores, ...get(out), ...f64(sideValue), ...storeF64(32), ...get(foundAt), ...set(found)];
  };
  code.push(...i32(-1), ...set(found));
  code.push(
    ...get(foundLeft),
    ...i32(0),
    op.i32GeS,
    ...get(left.best),
    ...get(right.best),
    op.f64Gt,
    op.i32And,
  );
  code.push(op.if, op.emptyBlock, ...write(left, foundLeft, 1), op.else);
  code.push(
    ...get(foundRight),
    ...i32(0),
    op.i32GeS,
    op.if,
    op.emptyBlock,
    ...write(right, foundRight, 0),
    op.end,
  );
  code.push(op.end, ...get(found), op.end);
  const body = [
    ...vector([
      [nI32, I32],
      [nF64, F64],
    ]),
    ...code,
  ];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * `partition(rows, count, column, side, scratch) -> left`: the grower's `partitionRows` (stable, in
 * place): each row index at byte address rows.. goes to the left run when `side[bin]` of its bin in
 * the column at `column` is 1, else to the scratch run, which is then copied after the left one.
 */
function partitionBody(): number[] {
  const [rows, count, column, side, scratch] = [0, 1, 2, 3, 4];
  const [i, end, l, r, row, left] = [5, 6, 7, 8, 9, 10];
  const storeI32 = [op.i32Store, 2, 0];
  const code: number[] = [];
  code.push(...get(rows), ...set(i), ...get(rows), ...set(l), ...get(scratch), ...set(r));
  code.push(...get(rows), ...get(count), ...i32(2), op.i32Shl, op.i32Add, ...set(end));
  code.push(op.block, op.emptyBlock, op.loop, op.emptyBlock);
  code.push(...get(i), ...get(end), op.i32GeU, op.brIf, 1);
  code.push(...get(i), ...loadI32, ...set(row));
  code.push(
    ...get(side),
    ...get(column),
    ...get(row),
    op.i32Add,
    ...loadBin,
    op.i32Add,
    ...loadBin,
    ...set(left),
  );
  // Written to both runs; only the run it belongs to advances (no branch to mispredict).
  code.push(...get(l), ...get(row), ...storeI32, ...get(r), ...get(row), ...storeI32);
  code.push(...get(l), ...get(left), ...i32(2), op.i32Shl, op.i32Add, ...set(l));
  code.push(...get(r), ...i32(1), ...get(left), op.i32Sub, ...i32(2), op.i32Shl, op.i32Add, ...set(r));
  code.push(...get(i), ...i32(4), op.i32Add, ...set(i), op.br, 0, op.end, op.end);
  // memory.copy(l, scratch, r - scratch)
  code.push(...get(l), ...get(scratch), ...get(r), ...get(scratch), op.i32Sub, op.bulk, 0x0a, 0x00, 0x00);
  code.push(...get(l), ...get(rows), op.i32Sub, ...i32(2), op.i32ShrU, op.end);
  const body = [...vector([[6, I32]]), ...code];
  return [...unsignedLeb(body.length), ...body];
}

/**
 * The module: imports its memory as env.mem and exports accum4, accum4c, accum1, accum2, accum3,
 * subtract, scan, partition and copyCounts.
 * With `shared`, the memory it imports is shared (the histogram threads run the same kernels on it).
 */
export function histogramKernelModule(shared: boolean): WebAssembly.Module {
  const fourFeatures = [0x60, ...vector(Array.from({ length: 11 }, () => [I32])), 0];
  // The remainder kernels: rows, gh, count, k columns, k histograms, countStep.
  const remainder = (k: number) => [
    0x60,
    ...vector([...Array.from({ length: 3 + 2 * k }, () => [I32]), [F64]]),
    0,
  ];
  const twoAddresses = [0x60, ...vector([[I32], [I32]]), 0];
  const threeAddresses = [0x60, ...vector([[I32], [I32], [I32]]), 0];
  const fiveAddresses = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), ...vector([[I32]])];
  const scan = [
    0x60,
    ...vector([[I32], [I32], [I32], ...Array.from({ length: 9 }, () => [F64]), [I32]]),
    ...vector([[I32]]),
  ];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vector([
        fourFeatures,
        remainder(1),
        threeAddresses,
        scan,
        fiveAddresses,
        twoAddresses,
        remainder(2),
        remainder(3),
      ]),
    ),
    // An imported memory of at least 0 pages: unshared with no maximum, or shared with at most 4 GiB.
    ...section(
      2,
      vector([
        [
          ...name('env'),
          ...name('mem'),
          0x02,
          ...(shared ? [0x03, 0x00, ...unsignedLeb(65_536)] : [0x00, 0x00]),
        ],
      ]),
    ),
    ...section(3, vector([[0], [0], [1], [2], [3], [4], [5], [6], [7]])),
    ...section(
      7,
      vector([
        [...name('accum4'), 0x00, 0],
        [...name('accum4c'), 0x00, 1],
        [...name('accum1'), 0x00, 2],
        [...name('subtract'), 0x00, 3],
        [...name('scan'), 0x00, 4],
        [...name('partition'), 0x00, 5],
        [...name('copyCounts'), 0x00, 6],
        [...name('accum2'), 0x00, 7],
        [...name('accum3'), 0x00, 8],
      ]),
    ),
    ...section(
      10,
      vector([
        kernelBody(4, 'none'),
        kernelBody(4, 'one'),
        kernelBody(1, 'parameter'),
        subtractBody(),
        scanBody(),
        partitionBody(),
        copyCountsBody(),
        kernelBody(2, 'parameter'),
        kernelBody(3, 'parameter'),
      ]),
    ),
  ];
  return new WebAssembly.Module(new Uint8Array(bytes));
}

/** A four-feature histogram kernel: rows, gradient pairs, count, four bin columns, four histograms. */
type FourFeatureKernel = (
  rows: number,
  gh: number,
  count: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
) => void;

/** The module's exports. */
export interface HistogramKernel {
  accum4: FourFeatureKernel;
  accum4c: FourFeatureKernel;
  accum1(rows: number, gh: number, count: number, c: number, o: number, countStep: number): void;
  accum2(
    rows: number,
    gh: number,
    count: number,
    c0: number,
    c1: number,
    o0: number,
    o1: number,
    countStep: number,
  ): void;
  accum3(
    rows: number,
    gh: number,
    count: number,
    c0: number,
    c1: number,
    c2: number,
    o0: number,
    o1: number,
    o2: number,
    countStep: number,
  ): void;
  subtract(parent: number, child: number, bytes: number): void;
  copyCounts(at: number, bytes: number): void;
  partition(rows: number, count: number, column: number, side: number, scratch: number): number;
  scan(
    hist: number,
    end: number,
    missing: number,
    sumGrad: number,
    sumHess: number,
    count: number,
    parentGain: number,
    minData: number,
    minHess: number,
    l2: number,
    minGain: number,
    bestGain: number,
    out: number,
  ): number;
}

/**
 * Sums the histograms of the features `features[fBegin..fEnd)` of one node with `kernel`: rows at
 * byte address `rows` (`count` of them), gradient pairs at `gh`, histograms at `hist`, each
 * feature's cells from `binOffsets[f]` on; `countStep` 1 counts rows, 0 leaves the counts alone. The
 * histogram threads receive this function as source text, so it must not reference anything outside
 * its own body: 32 is `CELL_BYTES`.
 */
export function accumulateNode(
  kernel: HistogramKernel,
  features: Int32Array,
  fBegin: number,
  fEnd: number,
  nRows: number,
  binOffsets: Int32Array,
  rows: number,
  gh: number,
  count: number,
  hist: number,
  countStep: number,
): void {
  const accum4 = countStep === 0 ? kernel.accum4 : kernel.accum4c;
  let q = fBegin;
  for (; q + 4 <= fEnd; q += 4) {
    const f0 = features[q];
    const f1 = features[q + 1];
    const f2 = features[q + 2];
    const f3 = features[q + 3];
    accum4(
      rows,
      gh,
      count,
      f0 * nRows,
      f1 * nRows,
      f2 * nRows,
      f3 * nRows,
      hist + binOffsets[f0] * 32,
      hist + binOffsets[f1] * 32,
      hist + binOffsets[f2] * 32,
      hist + binOffsets[f3] * 32,
    );
  }
  // The last one to three features in one pass too.
  const [f0, f1, f2] = [features[q], features[q + 1], features[q + 2]];
  if (fEnd - q === 3) {
    const [o0, o1, o2] = [hist + binOffsets[f0] * 32, hist + binOffsets[f1] * 32, hist + binOffsets[f2] * 32];
    kernel.accum3(rows, gh, count, f0 * nRows, f1 * nRows, f2 * nRows, o0, o1, o2, countStep);
  } else if (fEnd - q === 2) {
    const [o0, o1] = [hist + binOffsets[f0] * 32, hist + binOffsets[f1] * 32];
    kernel.accum2(rows, gh, count, f0 * nRows, f1 * nRows, o0, o1, countStep);
  } else if (fEnd - q === 1) {
    kernel.accum1(rows, gh, count, f0 * nRows, hist + binOffsets[f0] * 32, countStep);
  }
}
