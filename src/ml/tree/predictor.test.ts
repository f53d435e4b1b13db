import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../core/rng.js';
import { CompiledForest } from './predictor.js';
import { FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT, FLAG_OTHER_LEFT, Tree } from './tree.js';

const N_FEATURES = 6;
/** Features 4 and 5 hold category codes; the others are numeric. */
const isCategorical = (f: number) => f >= 4;

/**
 * A random tree of `nLeaves` leaves, grown by splitting a random leaf each time (so some trees are
 * deep and lopsided), with every kind of split: numeric with NaN going either way, and categorical
 * bitsets with unseen codes going either way.
 */
function randomTree(rng: Rng, nLeaves: number): Tree {
  const feature = [-1];
  const left = [-1];
  const right = [-1];
  const threshold = [0];
  const flags = [0];
  const catStart = [0];
  const catWords = [0];
  const catBits: number[] = [];
  const value = [rng.normal()];
  const leaves = [0];
  while (leaves.length < nLeaves) {
    const n = leaves.splice(rng.int(leaves.length), 1)[0];
    const f = rng.int(N_FEATURES);
    feature[n] = f;
    left[n] = feature.length;
    right[n] = feature.length + 1;
    if (isCategorical(f)) {
      flags[n] = FLAG_CATEGORICAL | (rng.next() < 0.5 ? FLAG_OTHER_LEFT : 0);
      catStart[n] = catBits.length;
      catWords[n] = 1;
      catBits.push(rng.int(2 ** 16));
    } else {
      flags[n] = rng.next() < 0.5 ? FLAG_DEFAULT_LEFT : 0;
      threshold[n] = rng.normal();
    }
    for (let c = 0; c < 2; c++) {
      leaves.push(feature.length);
      feature.push(-1);
      left.push(-1);
      right.push(-1);
      threshold.push(0);
      flags.push(0);
      catStart.push(0);
      catWords.push(0);
      value.push(rng.normal());
    }
  }
  const nNodes = feature.length;
  return new Tree({
    feature: Int32Array.from(feature),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    threshold: Float64Array.from(threshold),
    flags: Uint8Array.from(flags),
    catStart: Int32Array.from(catStart),
    catWords: Int32Array.from(catWords),
    catBits: Uint32Array.from(catBits),
    value: Float64Array.from(value),
    cover: new Float64Array(nNodes).fill(1),
    gain: new Float64Array(nNodes),
  });
}

/** Column-major rows with NaNs, exact thresholds' neighbours, and codes in and out of the bitsets. */
function randomRows(rng: Rng, nRows: number): Float64Array {
  const data = new Float64Array(N_FEATURES * nRows);
  for (let f = 0; f < N_FEATURES; f++) {
    for (let i = 0; i < nRows; i++) {
      const u = rng.next();
      let x: number;
      if (u < 0.1) x = Number.NaN;
      else if (isCategorical(f)) x = u < 0.15 ? 40 + rng.int(5) : u < 0.2 ? -1 : u < 0.22 ? 2.5 : rng.int(18);
      else x = rng.normal();
      data[f * nRows + i] = x;
    }
  }
  return data;
}

/** The reference: each tree walked on its own arrays by `Tree.predictAt`, summed in tree order. */
function referenceSums(
  trees: readonly Tree[],
  data: Float64Array,
  nRows: number,
  init: number,
): Float64Array {
  const out = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let acc = init;
    for (const t of trees) acc += t.predictAt(data, nRows, i);
    out[i] = acc;
  }
  return out;
}

function rowOf(data: Float64Array, nRows: number, i: number): Float64Array {
  const row = new Float64Array(N_FEATURES);
  for (let f = 0; f < N_FEATURES; f++) row[f] = data[f * nRows + i];
  return row;
}

describe('CompiledForest', () => {
  // Small forests are walked row by row, large ones (over 16,384 nodes) tree by tree per block;
  // 600 rows make two full blocks of 256 and a partial one.
  it.each([
    { name: 'a small forest', nTrees: 30, maxLeaves: 20 },
    { name: 'a large forest', nTrees: 90, maxLeaves: 255 },
  ])('routes every row of $name to the same leaves as the trees themselves', ({ nTrees, maxLeaves }) => {
    const rng = createRng(11);
    const trees = Array.from({ length: nTrees }, () => randomTree(rng, 1 + rng.int(maxLeaves)));
    const nRows = 600;
    const data = randomRows(rng, nRows);
    const forest = new CompiledForest(trees, N_FEATURES);

    const out = new Float64Array(nRows).fill(0.25);
    forest.addTo(data, nRows, out);
    const expected = referenceSums(trees, data, nRows, 0.25);
    expect(Array.from(out)).toEqual(Array.from(expected));
    for (let i = 0; i < nRows; i += 37) {
      expect(Object.is(forest.sumRow(rowOf(data, nRows, i), 0.25), expected[i])).toBe(true);
    }
  });

  it('handles a forest whose trees are single leaves', () => {
    const rng = createRng(3);
    const trees = [randomTree(rng, 1), randomTree(rng, 1)];
    const forest = new CompiledForest(trees, N_FEATURES);
    const out = new Float64Array(3);
    forest.addTo(randomRows(rng, 3), 3, out);
    const sum = trees[0].arrays.value[0] + trees[1].arrays.value[0];
    expect(Array.from(out)).toEqual([sum, sum, sum]);
  });
});
