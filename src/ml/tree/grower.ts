/**
 * Leaf-wise (best-first) tree growth, as in LightGBM: repeatedly split the leaf whose best split
 * lowers the loss most, until `maxLeaves` leaves or no split gains. A node's rows are a contiguous
 * range of one row-index array, partitioned in place (stably, so rows stay in ascending order and
 * histogram sums are reproducible). Only the smaller child's histogram is built; the larger one is
 * the parent's minus the smaller's.
 *
 * The training-time leaf (`LeafState`) is a different type from the compact `Tree` the grower
 * emits; leaf values are left to the learner (learning rate, quantile re-estimation, averaging).
 */
import type { Rng } from '../../core/rng.js';
import { createHistogramBuilder } from '../parallel/parallel-histogram-builder.js';
import type { BinMapper } from './binning.js';
import { HISTOGRAM_CELL, type HistogramBuilder } from './histogram.js';
import { selectFeatures } from './sampling.js';
import {
  findBestSplit,
  leafOutput,
  type NodeStats,
  SplitInfo as Split,
  type SplitInfo,
  type SplitParams,
} from './splitter.js';
import { FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT, FLAG_OTHER_LEFT, Tree } from './tree.js';

export interface GrowerParams extends SplitParams {
  readonly maxLeaves: number;
  /** −1 for no limit. */
  readonly maxDepth: number;
}

/** Everything a tree is grown from; shared by all trees of one fit. */
export interface GrowerContext {
  readonly mapper: BinMapper;
  /** Column-major bins, nRows × nFeatures. */
  readonly bins: Uint8Array;
  readonly nRows: number;
  readonly builder: HistogramBuilder;
  readonly params: GrowerParams;
  readonly histograms: HistogramPool;
  /** Scratch for partitioning, length nRows. */
  readonly scratch: Int32Array;
  /** Scratch for partitioning: 1 when a bin goes left. */
  readonly sideOfBin: Uint8Array;
}

/** How the grower chooses among the tree's features at each node (random forest); none = all. */
export interface NodeFeatureSampling {
  readonly fraction: number;
  readonly rng: Rng;
}

/**
 * A grown leaf: its node, its rows `builder.rows[begin..begin+count)` and out-of-bag rows
 * `oobRows[oobBegin..oobBegin+oobCount)`, sums and output bounds.
 */
export interface GrownLeaf {
  readonly node: number;
  readonly begin: number;
  readonly count: number;
  readonly oobBegin: number;
  readonly oobCount: number;
  readonly sumGrad: number;
  readonly sumHess: number;
  readonly lower: number;
  readonly upper: number;
  /** The regularised Newton output, clamped to [lower, upper]. */
  readonly output: number;
}

/** A grown tree before its leaf values are set. */
export interface GrownTree {
  readonly leaves: readonly GrownLeaf[];
  /** Builds the compact tree, with `leafValue(leaf)` as each leaf's output and internal nodes scaled by `scale`. */
  finish(leafValue: (leaf: GrownLeaf) => number, scale: number): Tree;
}

interface LeafState extends NodeStats {
  node: number;
  begin: number;
  count: number;
  oobBegin: number;
  oobCount: number;
  depth: number;
  hist: Float64Array | null;
  readonly split: SplitInfo;
}

/**
 * Reusable histogram buffers. Past `maxLive` buffers held by leaves, new leaves drop theirs and
 * rebuild both children later instead of subtracting, which bounds memory for very large trees.
 */
export class HistogramPool {
  private readonly free: Float64Array[] = [];
  private live = 0;

  constructor(
    private readonly allocate: () => Float64Array,
    private readonly maxLive: number,
  ) {}

  acquire(): Float64Array {
    this.live++;
    return this.free.pop() ?? this.allocate();
  }

  release(h: Float64Array): void {
    this.live--;
    this.free.push(h);
  }

  get overBudget(): boolean {
    return this.live > this.maxLive;
  }
}

/**
 * Grows one tree over the rows `builder.rows[0..rootCount)` (or all rows in order when `allRows`),
 * considering the features `treeFeatures` (ascending). `grad`/`hess` are per row of the full data.
 * The out-of-bag rows `builder.oobRows[0..oobCount)` (bagging) are sorted into the leaves too, so
 * each leaf knows them without a tree walk.
 */
export function growTree(
  ctx: GrowerContext,
  grad: Float64Array,
  hess: Float64Array,
  rootCount: number,
  allRows: boolean,
  treeFeatures: Int32Array,
  sampling?: NodeFeatureSampling,
  oobCount = 0,
): GrownTree {
  const { mapper, params: p, builder, histograms } = ctx;
  const rows = builder.rows;
  if (allRows) for (let i = 0; i < rootCount; i++) rows[i] = i;
  builder.setFeatures(treeFeatures);
  const nodes = new NodeList();

  let sumGrad = 0;
  let sumHess = 0;
  for (let i = 0; i < rootCount; i++) {
    const r = rows[i];
    sumGrad += grad[r];
    sumHess += hess[r];
  }
  const candidates = new Int32Array(treeFeatures.length);
  const chooseFeatures = (): number => {
    if (!sampling) {
      candidates.set(treeFeatures);
      return treeFeatures.length;
    }
    return selectFeatures(treeFeatures, sampling.fraction, sampling.rng, candidates);
  };

  const root: LeafState = {
    node: nodes.add(
      sumHess,
      leafOutput(sumGrad, sumHess, p, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
    ),
    begin: 0,
    count: rootCount,
    oobBegin: 0,
    oobCount,
    depth: 0,
    sumGrad,
    sumHess,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    hist: null,
    split: new Split(),
  };
  const leaves: LeafState[] = [root];
  if (canSplit(root, p)) {
    root.hist = histograms.acquire();
    builder.build(0, rootCount, allRows, grad, hess, root.hist);
    findBestSplit(
      root.hist,
      mapper,
      candidates,
      chooseFeatures(),
      root,
      p,
      root.split,
      builder.scanPlainNumeric,
    );
  }

  while (leaves.length < p.maxLeaves) {
    // Ties go to the earliest leaf, so growth is deterministic.
    let bestIdx = -1;
    let bestGain = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < leaves.length; k++) {
      if (leaves[k].split.gain > bestGain) {
        bestGain = leaves[k].split.gain;
        bestIdx = k;
      }
    }
    if (bestIdx < 0) break;
    const parent = leaves[bestIdx];
    const s = parent.split;
    const went = partition(ctx, parent, s);
    const left = childState(nodes, p, parent, s, true, went);
    const right = childState(nodes, p, parent, s, false, went);
    nodes.setSplit(parent.node, s, mapper, left.node, right.node);
    leaves[bestIdx] = left;
    leaves.push(right);

    // Children are only worth histograms when one may split and the tree may still grow.
    const grows = leaves.length < p.maxLeaves && (canSplit(left, p) || canSplit(right, p));
    if (grows) {
      const [small, large] = left.count <= right.count ? [left, right] : [right, left];
      small.hist = histograms.acquire();
      builder.build(small.begin, small.count, false, grad, hess, small.hist);
      if (parent.hist) {
        builder.subtract(parent.hist, small.hist);
        large.hist = parent.hist;
      } else {
        large.hist = histograms.acquire();
        builder.build(large.begin, large.count, false, grad, hess, large.hist);
      }
      parent.hist = null;
      for (const child of [left, right]) {
        if (canSplit(child, p))
          findBestSplit(
            child.hist!,
            mapper,
            candidates,
            chooseFeatures(),
            child,
            p,
            child.split,
            builder.scanPlainNumeric,
          );
      }
      for (const child of [left, right]) {
        if (!canSplit(child, p) || histograms.overBudget) {
          histograms.release(child.hist!);
          child.hist = null;
        }
      }
    } else if (parent.hist) {
      histograms.release(parent.hist);
      parent.hist = null;
    }
  }
  for (const leaf of leaves) {
    if (leaf.hist) histograms.release(leaf.hist);
    leaf.hist = null;
  }

  const grown: GrownLeaf[] = leaves
    .map((l) => ({
      node: l.node,
      begin: l.begin,
      count: l.count,
      oobBegin: l.oobBegin,
      oobCount: l.oobCount,
      sumGrad: l.sumGrad,
      sumHess: l.sumHess,
      lower: l.lower,
      upper: l.upper,
      output: leafOutput(l.sumGrad, l.sumHess, p, l.lower, l.upper),
    }))
    .sort((a, b) => a.node - b.node);
  return {
    leaves: grown,
    finish: (leafValue, scale) => nodes.toTree(grown, leafValue, scale),
  };
}

function canSplit(leaf: LeafState, p: GrowerParams): boolean {
  return (p.maxDepth < 0 || leaf.depth < p.maxDepth) && leaf.count >= 2 * p.minDataInLeaf && leaf.count >= 2;
}

/**
 * The left or right child of `parent` split by `s`, whose partition sent `went.left` of its rows
 * and `went.oobLeft` of its out-of-bag rows left: each side keeps its part of both ranges.
 */
function childState(
  nodes: NodeList,
  p: GrowerParams,
  parent: LeafState,
  s: SplitInfo,
  isLeft: boolean,
  went: { left: number; oobLeft: number },
): LeafState {
  let lower = parent.lower;
  let upper = parent.upper;
  const sumHess = isLeft ? s.leftHess : s.rightHess;
  // Monotone constraints, LightGBM's basic method: the two sides may not cross the midpoint of
  // their outputs, so every later leaf on the left stays below every later leaf on the right.
  const mono = p.monotone[s.feature];
  if (mono !== 0) {
    const mid = (s.leftOutput + s.rightOutput) / 2;
    if (mono > 0 === isLeft) upper = Math.min(upper, mid);
    else lower = Math.max(lower, mid);
  }
  return {
    node: nodes.add(sumHess),
    begin: isLeft ? parent.begin : parent.begin + went.left,
    count: isLeft ? went.left : parent.count - went.left,
    oobBegin: isLeft ? parent.oobBegin : parent.oobBegin + went.oobLeft,
    oobCount: isLeft ? went.oobLeft : parent.oobCount - went.oobLeft,
    depth: parent.depth + 1,
    sumGrad: isLeft ? s.leftGrad : s.rightGrad,
    sumHess,
    lower,
    upper,
    hist: null,
    split: new Split(),
  };
}

/**
 * Stable in-place partition of the leaf's rows and of its out-of-bag rows by split `s`; returns
 * how many of each went left.
 */
function partition(ctx: GrowerContext, leaf: LeafState, s: SplitInfo): { left: number; oobLeft: number } {
  // A bin → side table makes numeric and categorical splits one loop, and the loop branch-free.
  const goesLeft = ctx.sideOfBin;
  if (s.categorical) goesLeft.set(s.leftBins);
  else {
    const missing = ctx.mapper.features[s.feature].missingBin;
    for (let b = 0; b < 256; b++)
      goesLeft[b] = b === missing ? (s.defaultLeft ? 1 : 0) : b <= s.thresholdBin ? 1 : 0;
  }
  const column = s.feature * ctx.nRows;
  const { builder } = ctx;
  const split = (rows: Int32Array, begin: number, count: number): number =>
    builder.partitionRows?.(rows, begin, count, column, goesLeft) ??
    partitionRows(ctx, rows, begin, count, column);
  return {
    left: split(builder.rows, leaf.begin, leaf.count),
    oobLeft: split(builder.oobRows, leaf.oobBegin, leaf.oobCount),
  };
}

/**
 * Stable in-place partition of `rows[begin..begin+count)` by `ctx.sideOfBin` of each row's bin in
 * the column starting at `column`; returns how many went left. Each row is written to both sides
 * and only the side it belongs to advances (a random left/right branch would be mispredicted half
 * the time).
 */
function partitionRows(
  ctx: GrowerContext,
  rows: Int32Array,
  begin: number,
  count: number,
  column: number,
): number {
  const { scratch, bins, sideOfBin } = ctx;
  let l = begin;
  let r = 0;
  for (let i = begin; i < begin + count; i++) {
    const row = rows[i];
    const left = sideOfBin[bins[column + row]];
    rows[l] = row;
    scratch[r] = row;
    l += left;
    r += 1 - left;
  }
  rows.set(scratch.subarray(0, r), l);
  return l - begin;
}

/** Growable node storage of the tree being grown. */
class NodeList {
  private readonly feature: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly threshold: number[] = [];
  private readonly flags: number[] = [];
  private readonly catStart: number[] = [];
  private readonly catWords: number[] = [];
  private readonly catBits: number[] = [];
  private readonly output: number[] = [];
  private readonly cover: number[] = [];
  private readonly gain: number[] = [];

  add(cover: number, output = 0): number {
    this.feature.push(-1);
    this.left.push(-1);
    this.right.push(-1);
    this.threshold.push(0);
    this.flags.push(0);
    this.catStart.push(0);
    this.catWords.push(0);
    this.output.push(output);
    this.cover.push(cover);
    this.gain.push(0);
    return this.feature.length - 1;
  }

  setSplit(node: number, s: SplitInfo, mapper: BinMapper, left: number, right: number): void {
    this.feature[node] = s.feature;
    this.left[node] = left;
    this.right[node] = right;
    this.gain[node] = s.gain;
    this.output[left] = s.leftOutput;
    this.output[right] = s.rightOutput;
    const binning = mapper.features[s.feature];
    if (binning.kind === 'numeric') {
      this.threshold[node] = binning.upperBounds[s.thresholdBin];
      this.flags[node] = s.defaultLeft ? FLAG_DEFAULT_LEFT : 0;
      return;
    }
    // Expand the bin set into a bitset over codes 0..max code, so prediction needs no lookup;
    // codes beyond it, like codes rare or unseen in training, follow the "other" bin.
    let maxCode = -1;
    for (let k = 0; k < binning.codes.length; k++) maxCode = Math.max(maxCode, binning.codes[k]);
    const words = (maxCode >>> 5) + 1;
    const otherLeft = s.leftBins[binning.otherBin] === 1;
    const start = this.catBits.length;
    for (let w = 0; w < words; w++) this.catBits.push(otherLeft ? 0xffffffff : 0);
    for (let k = 0; k < binning.codes.length; k++) {
      const c = binning.codes[k];
      const word = start + (c >>> 5);
      const bit = (1 << (c & 31)) >>> 0;
      this.catBits[word] =
        s.leftBins[k] === 1 ? (this.catBits[word] | bit) >>> 0 : (this.catBits[word] & ~bit) >>> 0;
    }
    this.catStart[node] = start;
    this.catWords[node] = words;
    this.flags[node] =
      FLAG_CATEGORICAL |
      (s.leftBins[binning.missingBin] === 1 ? FLAG_DEFAULT_LEFT : 0) |
      (otherLeft ? FLAG_OTHER_LEFT : 0);
  }

  toTree(leaves: readonly GrownLeaf[], leafValue: (leaf: GrownLeaf) => number, scale: number): Tree {
    const value = Float64Array.from(this.output, (v) => v * scale);
    for (const leaf of leaves) value[leaf.node] = leafValue(leaf);
    return new Tree({
      feature: Int32Array.from(this.feature),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      threshold: Float64Array.from(this.threshold),
      flags: Uint8Array.from(this.flags),
      catStart: Int32Array.from(this.catStart),
      catWords: Int32Array.from(this.catWords),
      catBits: Uint32Array.from(this.catBits),
      value,
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    });
  }
}

/** Histogram memory a fit may keep for subtraction; past it, leaves rebuild instead. */
const HISTOGRAM_BUDGET_BYTES = 512 * 1024 * 1024;

/**
 * Sets up tree growth over binned data: a histogram builder on `nThreads` threads (call `close`
 * when the fit ends, also on failure) and the reusable buffers.
 */
export function createGrowerContext(
  mapper: BinMapper,
  bins: Uint8Array,
  nRows: number,
  params: GrowerParams,
  nThreads: number,
): GrowerContext & { close(): void } {
  const histBytes = mapper.totalBins * HISTOGRAM_CELL * 8;
  const maxLive = Math.max(4, Math.floor(HISTOGRAM_BUDGET_BYTES / histBytes));
  // A tree holds at most one histogram per leaf, plus the one being built.
  const histogramsPerTree = Math.min(params.maxLeaves + 1, maxLive + 1);
  const builder = createHistogramBuilder(bins, nRows, mapper.binOffsets, nThreads, histogramsPerTree);
  return {
    mapper,
    bins,
    nRows,
    builder,
    params,
    histograms: new HistogramPool(() => builder.allocateHistogram(), maxLive),
    scratch: new Int32Array(nRows),
    sideOfBin: new Uint8Array(256),
    close: () => builder.close(),
  };
}
